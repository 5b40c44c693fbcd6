"""The scan's grid, Pareto front and budget, and its refusals: one line, exit 2."""

import json

import pytest

from l1forge.cli import main
from l1forge.errors import UserError
from l1forge.report.parts import find_part
from l1forge.scan.budget import fits, parse_budget
from l1forge.scan.grid import grid_points, parse_grid, point_id
from l1forge.scan.pareto import mark_front


def test_the_grid_is_the_product_and_a_seeded_sample_of_it():
    grid = parse_grid(["quantization.weight_bits=4,6,8", "pruning.sparsity=0, 0.5"])
    assert grid == {"quantization.weight_bits": [4, 6, 8], "pruning.sparsity": [0, 0.5]}
    points = grid_points(grid)
    assert len(points) == 6 and points[1] == {"quantization.weight_bits": 4, "pruning.sparsity": 0.5}
    drawn = grid_points(grid, sample=3, seed=7)
    assert drawn == grid_points(grid, sample=3, seed=7) and len(drawn) == 3
    assert all(p in points for p in drawn) and len({point_id(p) for p in drawn}) == 3
    assert grid_points(grid, sample=3, seed=8) != drawn or grid_points(grid, sample=3, seed=9) != drawn


@pytest.mark.parametrize("items, message", [
    ([], "--grid: none given"),
    (["quantization.weight_bits"], "expected KEY=V1,V2"),
    (["a=1", "a=2"], "given twice"),
    (["a=,"], "no values"),
    (["a=1,1"], "a value repeats"),
])
def test_bad_grids(items, message):
    with pytest.raises(UserError, match=message):
        parse_grid(items)


def _point(objective, lut, dsp, cycles, status="done"):
    return {"status": status, "firmware_accuracy": objective,
            "estimate": {"lut": lut, "dsp": dsp, "latency_cycles": cycles}}


def test_the_front_is_exactly_the_undominated_done_points():
    points = [_point(0.70, 100, 5, 10),   # front: best accuracy
              _point(0.60, 50, 5, 10),    # front: cheapest LUT
              _point(0.60, 60, 5, 10),    # dominated by the one above
              _point(0.60, 50, 5, 10),    # a tie with a front point: neither beats the other
              _point(0.65, 80, 0, 12),    # front: no DSP
              _point(0.99, 1, 0, 1, status="failed")]
    mark_front(points, "firmware_accuracy")
    assert [p["pareto"] for p in points] == [True, True, False, True, True, False]


def test_budgets_in_counts_and_percent_of_the_part():
    part = find_part("xcvu13p-flga2577-2-e")
    limits = parse_budget("lut=5%,dsp=0,latency_ns=50", part)
    assert limits == {"lut": pytest.approx(0.05 * part.lut), "dsp": 0.0, "latency_ns": 50.0}
    assert fits({"lut": 1000, "dsp": 0, "latency_ns": 45.0}, limits)
    assert not fits({"lut": 1000, "dsp": 1, "latency_ns": 45.0}, limits)
    for text, message in (("luts=5", "KEY one of"), ("lut=x", "a number or a percentage"),
                          ("ii=5%", "a percentage needs a resource"), ("dsp=-1", "0 or more")):
        with pytest.raises(UserError, match=message):
            parse_budget(text, part)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err.strip()


@pytest.mark.parametrize("grid, message", [
    ("quantization.weight_bit=4,6", "unknown field at 'quantization.weight_bit'.*did you mean 'weight_bits'"),
    ("quantization.weight_bits=4,99", "scan point quantization.weight_bits=99: .*a bit width from 2 to 32"),
    ("target.strategy=Latency,Fast", "scan point target.strategy=Fast"),
])
def test_refused_points_exit_2_naming_the_point_and_write_nothing(tmp_path, capsys, grid, message):
    code, err = run(capsys, "scan", "l1models/jet_id.yaml", "--grid", grid, "--out", tmp_path / "s")
    assert code == 2 and len(err.splitlines()) == 1
    assert __import__("re").search(message, err), err
    assert not (tmp_path / "s").exists()


def test_an_out_folder_of_another_card_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    (out / "scan.json").write_text(json.dumps({"card_sha256": "0" * 64, "points": []}))
    code, err = run(capsys, "scan", "l1models/jet_id.yaml", "--grid", "quantization.weight_bits=4",
                    "--out", out, "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "holds a scan of another card" in err and "--force" in err
    (out / "scan.json").unlink()
    (out / "notes.txt").write_text("mine")
    code, err = run(capsys, "scan", "l1models/jet_id.yaml", "--grid", "quantization.weight_bits=4",
                    "--out", out)
    assert code == 2 and "a folder that is not a scan" in err
    assert (out / "notes.txt").read_text() == "mine"


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    from l1forge.data import dask_engine

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 1.0)  # refused at once; no need to wait 10 s
    code, err = run(capsys, "scan", "l1models/jet_id.yaml", "--grid", "quantization.weight_bits=4",
                    "--out", tmp_path / "s", "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and len(err.splitlines()) == 1 and "no Dask scheduler answered" in err
