# l1forge: `make demo` builds the jet-ID firmware project on the default sample;
# `make test` runs the whole suite. Both create .venv with python3.11 first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test verify evidence rtl rtl-deepsets-netlist test-fast bench browser clean compact jet-compact vae-compact docs

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,rtl]"
	touch $(STAMP)

# The demo build leaves a core idle most of the time: da4ml's solver (numba, about three
# minutes of one core on a fresh install, cached on disk) compiles beside it in a detached
# process, under the lock of l1forge.firmware.da4ml_warmup. A later distributed-arithmetic
# conversion (make compact, make test) waits on that lock, then loads the cache.
demo: setup
	(nohup $(BIN)/python -m l1forge.firmware.da4ml_warmup >/dev/null 2>&1 &)
	$(BIN)/l1forge build l1models/jet_id.yaml

# The compact cards (issue 11): pruned, narrower, distributed-arithmetic designs built into
# hls_projects/ beside the reference cards' projects (docs/results/compact.md).
compact: jet-compact vae-compact

jet-compact: setup
	$(BIN)/l1forge build l1models/jet_id_compact.yaml

vae-compact: setup
	$(BIN)/l1forge build l1models/ad_vae_compact.yaml

# The HTML report's browser test needs Debian's chromium; install it when apt is usable
# (CI runs as root); without it `make test` fails that test (plain pytest skips it, saying so).
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null)) \
	  || echo "chromium not installed: the HTML browser test will be skipped"; }

# The whole suite on two pytest-xdist workers, each l1forge build made once (firmware_tests/
# project_cache.py), bit-exactness on 10,000 events per build; L1FORGE_CI=1 turns a skip for a
# missing requirement (../shared, chromium, g++, a sample) into a failure.
# The session's scratch (builds, trained models) lives in .pytest-tmp/ of this checkout, not in
# pytest's shared /tmp/pytest-of-$$USER, which another pytest run on the machine may prune.
test: setup browser
	L1FORGE_CI=1 $(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=20 \
	  --basetemp=$(CURDIR)/.pytest-tmp tests firmware_tests

# Before resolving an issue that touches the emulator or the firmware: the firmware tests with
# 100,000 events per bit-exactness comparison, and the tests marked `verify`.
verify: setup
	L1FORGE_VERIFY=1 $(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=20 \
	  --basetemp=$(CURDIR)/.pytest-tmp firmware_tests

# The estimator's evidence (src/l1forge/report/evidence.json, quoted by every report): the
# reference report sets laid out as hls4ml projects and run through `l1forge report --validate`.
# Run it after any change to the estimator's rules; tests/report/test_evidence.py fails until then.
evidence: setup
	d=$$(mktemp -d) && $(BIN)/python -m l1forge.report.reference_sets ../shared/reference/vivado_reports $$d/sets \
	  && $(BIN)/python tools/reference_cases.py ../shared/reference/vivado_reports $$d/cases \
	  && $(BIN)/python tools/evidence.py $$d/sets $$d/cases; s=$$?; rm -rf $$d; exit $$s

# Vendor-free RTL of the three committed distributed-arithmetic cards (docs/rtl.md): each
# project built if missing, then Verilog, a Verilator proof on 100,000 events and yosys netlist
# figures (l1forge rtl); the figures land in each project's manifest and report. jet_deepsets'
# flattened synthesis (da4ml cost 243,573 LUT) would run for hours on one core; `make
# rtl-deepsets-netlist` synthesizes it by part (32 x phi + pooling/rho, summed; docs/rtl.md).
DA_CARDS := jet_id_compact ad_vae_compact jet_deepsets
NO_SYNTH := jet_deepsets
rtl: setup
	@for card in $(DA_CARDS); do \
	  [ -f hls_projects/$$card/l1forge.json ] || $(BIN)/l1forge build l1models/$$card.yaml || exit 1; \
	  $(BIN)/l1forge rtl hls_projects/$$card --events 100000 \
	    $$(case " $(NO_SYNTH) " in *" $$card "*) echo --no-synth;; esac) || exit 1; \
	done

rtl-deepsets-netlist: setup
	[ -f hls_projects/jet_deepsets/l1forge.json ] || $(BIN)/l1forge build l1models/jet_deepsets.yaml
	$(BIN)/l1forge rtl hls_projects/jet_deepsets --events 100000 --synth-by-part

test-fast: setup
	$(BIN)/pytest -q tests

# The documentation site (docs/, mkdocs.yml) into site/; strict: a broken link or missing page fails.
docs: setup
	$(BIN)/mkdocs build --strict

bench: setup
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-json=benchmarks/results.json
	$(BIN)/python benchmarks/summarize.py benchmarks/results.json

clean:
	rm -rf hls_projects/*/ hls_projects/.trained .pytest_cache .pytest-tmp
