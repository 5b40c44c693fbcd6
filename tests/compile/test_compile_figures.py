"""compile's figures when the emulator does not model the firmware: the verified
firmware stands, the diagnosis (which traces the emulator) is skipped with its reason."""

from types import SimpleNamespace

import numpy as np

from l1forge import diagnose
from l1forge.compile import figures_of


def test_no_diagnosis_where_the_emulator_does_not_model_the_firmware(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the diagnosis ran on a design the emulator does not model")

    monkeypatch.setattr(diagnose, "diagnose", refuse)
    outputs = np.array([[0.1, 0.9], [0.8, 0.2]])
    verified = SimpleNamespace(firmware_outputs=outputs, keras_outputs=outputs,
                               emulator={"supported": False, "reason": "layer 'fc': a saturating accumulator"})
    figures = figures_of(None, np.zeros((2, 3)), None)(verified, SimpleNamespace(graph=None))
    assert figures["keras_agreement"] == 1.0 and "diagnosis" not in figures
    assert figures["diagnosis_skipped"] == ("the emulator does not model this firmware: layer 'fc': a saturating "
                                            "accumulator")
