"""A project folder and its files: the one place that knows where things lie in it.

An l1forge project is an hls4ml output folder plus l1forge's own files:

    l1forge.json              the manifest (MANIFEST)
    hls4ml_config.yml         hls4ml's config, pointing at keras_model.h5 (HLS_CONFIG)
    keras_model.h5            the Keras model hls4ml converted (the firmware part)
    trained/                  the QAT and float models and the stored test split
    trigger/scores.npz        float and firmware scores of every stored event (AD tasks)
    l1forge_tb.cpp, l1forge_csim   the C-simulation test bench and its binary
    firmware/                 the HLS sources (and hls4ml's compiled library)

Any other hls4ml folder is a Project too, without a manifest (`manifest(strict=False)`
is then {}).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from l1forge.errors import UserError
from l1forge.intake.hls4ml_yaml import CONFIG_NAME as HLS_CONFIG

MANIFEST = "l1forge.json"
TRAINED = "trained"
TEST_SPLIT = "test_split.npz"
TRIGGER = "trigger"
SCORES = "scores.npz"
TESTBENCH = "l1forge_tb.cpp"
CSIM_BINARY = "l1forge_csim"


@dataclass(frozen=True)
class Project:
    folder: Path

    def __post_init__(self):
        object.__setattr__(self, "folder", Path(self.folder))

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    @property
    def config_path(self) -> Path:
        return self.folder / HLS_CONFIG

    @property
    def trained_dir(self) -> Path:
        return self.folder / TRAINED

    @property
    def test_split_path(self) -> Path:
        return self.trained_dir / TEST_SPLIT

    @property
    def trigger_dir(self) -> Path:
        return self.folder / TRIGGER

    @property
    def scores_path(self) -> Path:
        return self.trigger_dir / SCORES

    @property
    def csim_binary(self) -> Path:
        return self.folder / CSIM_BINARY

    def compiled_libraries(self) -> list[Path]:
        """hls4ml's compiled firmware library (firmware/<project>-<stamp>.so), if built."""
        return sorted((self.folder / "firmware").glob("*.so"))

    def has_config(self) -> bool:
        return self.config_path.is_file()

    def manifest(self, strict: bool = True) -> dict[str, Any]:
        """The manifest. strict: it must exist and be an l1forge manifest; otherwise a
        folder without one gives {} (a plain hls4ml project), but a broken one is refused."""
        path = self.manifest_path
        if not path.is_file():
            if strict:
                raise UserError(f"{self.folder}: no {MANIFEST}; expected a project built by "
                                "`l1forge build`")
            return {}
        try:
            content = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise UserError(f"{path}: not valid JSON ({err}); expected the manifest l1forge "
                            "wrote") from None
        if not isinstance(content, dict):
            raise UserError(f"{path}: not an l1forge manifest (a JSON {type(content).__name__}; "
                            "expected an object)")
        if strict and "card" not in content:
            raise UserError(f"{path}: not an l1forge manifest (no 'card' key)")
        return content

    # The firmware package is imported when used: importing it here would close an import
    # loop (firmware -> emulate -> emulate.project -> project).
    def hls_config(self) -> dict[str, Any]:
        from l1forge.firmware.loading import read_config

        return read_config(self.folder)

    def keras_model(self):
        from l1forge.firmware.loading import project_keras_model

        return project_keras_model(self.folder, self.hls_config())

    def graph(self, keras_model=None):
        """The project's hls4ml ModelGraph after its optimizer passes (not compiled)."""
        from l1forge.firmware.loading import load_graph

        return load_graph(self.folder, keras_model)

    def test_split(self) -> tuple[np.ndarray, np.ndarray]:
        """(x_test, y_test): the stored test events in firmware-input space, and labels."""
        if not self.test_split_path.is_file():
            raise UserError(f"{self.folder}: no {TRAINED}/{TEST_SPLIT}; rebuild with `l1forge build`")
        with np.load(self.test_split_path) as f:
            return f["x_test"], f["y_test"]
