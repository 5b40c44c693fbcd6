"""The documentation: the site builds in strict mode (a broken link, a missing page or a page
left out of the nav fails), the README is a front page whose links resolve, and the
architecture page says what the package holds: its modules, the config passes in their
order, the model families."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from l1forge.firmware.passes import COMMON_PASSES
from l1forge.tasks import TASKS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "l1forge"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
README_LIMIT = 12_000  # characters: a front page, the rest lives in docs/


def mkdocs_build(config: Path, site: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict",
         "--config-file", str(config), "--site-dir", str(site)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_site_builds_in_strict_mode(tmp_path):
    result = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site", ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site" / "architecture" / "index.html").exists()
    api_page = (tmp_path / "site" / "api" / "api" / "index.html").read_text()
    assert 'id="l1forge.api.build"' in api_page  # the docstrings were rendered


def test_the_strict_build_refuses_a_broken_link_and_a_page_outside_the_nav(tmp_path):
    """The project's own validation settings, on a two-page site with one of each fault."""
    project = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the guide](no_such_page.md).\n")
    (docs / "orphan.md").write_text("# Not in the nav\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(yaml.safe_dump({
        "site_name": "planted", "docs_dir": "docs", "strict": project["strict"],
        "validation": project["validation"], "nav": [{"Home": "index.md"}]}))
    result = mkdocs_build(config, tmp_path / "site", tmp_path)
    assert result.returncode != 0
    assert "no_such_page.md" in result.stderr and "orphan.md" in result.stderr


def test_readme_is_a_front_page_whose_links_resolve():
    text = (ROOT / "README.md").read_text()
    assert len(text) <= README_LIMIT, f"README.md has {len(text)} characters; move detail to docs/"
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local, "README.md links to no documentation page"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_readme_gives_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands\s+```\n(.*?)```", readme, re.S)
    assert block, "README.md has no 'Two commands' block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make demo" in ci and "make test" in ci


def section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"docs/architecture.md has no section '## {heading}'"
    return match.group(1)


def table_names(text: str) -> list[str]:
    """The code span that opens each body row of the tables in `text` (header rows skipped)."""
    lines = text.splitlines()
    names = []
    for line, following in zip(lines, lines[1:] + [""]):
        match = re.match(r"\| `([^`]+)` \|", line)
        if match and not following.startswith("|---"):
            names.append(match.group(1))
    return names


def package_entries() -> set[str]:
    """Every module (`name.py`) and package (`name/`) directly under src/l1forge."""
    entries = set()
    for path in PACKAGE.iterdir():
        if path.name.startswith(("__", ".")):
            continue
        if path.is_file() and path.suffix == ".py":
            entries.add(path.name)
        elif path.is_dir() and any(path.rglob("*.py")):
            entries.add(path.name + "/")
    return entries


def test_the_architecture_page_lists_every_module_of_the_package():
    listed = table_names(section(ARCHITECTURE.read_text(), "Stages and modules"))
    assert len(listed) == len(set(listed)), "a module is listed twice"
    actual = package_entries()
    assert set(listed) == actual, (f"not on the page: {sorted(actual - set(listed))}; "
                                   f"on the page but not in the package: {sorted(set(listed) - actual)}")


def test_the_architecture_page_lists_the_config_passes_in_their_order():
    text = section(ARCHITECTURE.read_text(), "hls4ml configuration passes")
    listed = re.findall(r"^\d+\. `(\w+)`", text, re.M)
    assert listed == [config_pass.__name__ for config_pass in COMMON_PASSES]


def test_the_architecture_page_lists_every_model_family():
    listed = table_names(section(ARCHITECTURE.read_text(), "Model families"))
    assert sorted(listed) == sorted(TASKS)


def test_package_entries_sees_modules_and_packages(tmp_path, monkeypatch):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "one.py").write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "module.py").write_text("")
    (tmp_path / "__init__.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    assert package_entries() == {"stage/", "module.py"}
