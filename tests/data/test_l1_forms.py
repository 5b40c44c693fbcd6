"""The challenge's `Particles` layout is read, streamed in chunks and described."""

from __future__ import annotations

import json

import numpy as np
from sample_writers import l1_events, write_particles

from l1forge.cli import main
from l1forge.data import info, l1_reader, load_l1_objects
from l1forge.data.hdf5_store import write_l1


def test_public_layout_read(tmp_path):
    events = l1_events(7)
    # Public files carry extra datasets beside Particles; they are ignored.
    path = write_particles(tmp_path / "Ato4l_lepFilter_13TeV.h5", events,
                           Particles_Classes=np.array([b"MET", b"Four_Ele"]))
    sample = load_l1_objects(path, process="ato4l")
    assert sample.particles.dtype == np.float32 and sample.particles.shape == (7, 19, 4)
    np.testing.assert_array_equal(sample.particles, events)
    assert sample.process == "ato4l" and sample.path == str(path)
    assert len(load_l1_objects(path, max_events=3)) == 3


def test_info_streams_in_chunks(tmp_path, monkeypatch, capsys):
    events = l1_events(25)
    events[::2, 5] = 0.0  # every other event without its muon
    path = write_particles(tmp_path / "background_for_training.h5", events)
    whole = info.describe(path)
    monkeypatch.setattr(l1_reader, "CHUNK_EVENTS", 4)
    seen = []
    original = l1_reader.validate_chunk
    monkeypatch.setattr(l1_reader, "validate_chunk",
                        lambda p, chunk, first: (seen.append(len(chunk)), original(p, chunk, first)))
    chunked = info.describe(path)
    assert max(seen) == 4 and chunked == whole
    assert whole["counts"] == {"background_for_training": 25}
    assert whole["objects"]["mean_muons"] == round(12 / 25, 4)
    assert main(["data", "info", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "l1-objects" and report["events"] == 25


def test_l1forge_file_counts_per_source(tmp_path, capsys):
    path = tmp_path / "bkg.h5"
    write_l1(path, l1_events(6), {"process": "background"}, np.array([0, 1, 0, 0, 2, 0]),
             ("w_lnu", "z_ll", "ttbar"))
    report = info.describe(path)
    assert report["counts"] == {"w_lnu": 4, "z_ll": 1, "ttbar": 1}
    assert report["provenance"] == {"process": "background"}
    assert main(["data", "info", str(path)]) == 0
    assert "w_lnu 4 (66.7%)" in capsys.readouterr().out


def test_data_dir_override(tmp_path, monkeypatch):
    from l1forge.data import default_jets_path, default_l1_paths

    monkeypatch.setenv("L1FORGE_DATA_DIR", str(tmp_path))
    write_particles(tmp_path / "l1_ato4l.h5", l1_events(4))
    assert default_jets_path() == tmp_path / "jets_hlf.h5"
    assert set(default_l1_paths()) == {"background", "ato4l", "leptoquark", "h_tautau",
                                       "hplus_taunu"}
    assert len(load_l1_objects(process="ato4l")) == 4
