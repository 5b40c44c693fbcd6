"""Configs written by older hls4ml versions, made convertible (firmware.legacy_config)."""

from l1forge.firmware.legacy_config import convertible_config


def test_unknown_backend_and_pointwise_convolution_are_changed_with_notes():
    config = {"Backend": "Pynq", "HLSConfig": {
        "Model": {"Precision": "fixed<16,6>", "ConvImplementation": "LineBuffer"},
        "LayerType": {"Conv1D": {"ConvImplementation": "Encoded"}},
        "LayerName": {"conv1": {"ConvImplementation": "Pointwise", "ReuseFactor": 2}, "fc1": "odd"}}}
    converted, notes = convertible_config(config)
    assert converted["Backend"] == "Vivado"
    assert converted["HLSConfig"]["LayerName"]["conv1"] == {"ReuseFactor": 2}
    assert converted["HLSConfig"]["Model"]["ConvImplementation"] == "LineBuffer"
    assert converted["HLSConfig"]["LayerType"]["Conv1D"]["ConvImplementation"] == "Encoded"
    assert len(notes) == 2 and "'Pynq'" in notes[0] and notes[1].startswith("LayerName.conv1: ConvImplementation 'Pointwise'")
    # the caller's config is left as it was
    assert config["Backend"] == "Pynq" and config["HLSConfig"]["LayerName"]["conv1"]["ConvImplementation"] == "Pointwise"


def test_a_config_hls4ml_accepts_is_unchanged():
    for backend in ("Vivado", "Vitis", "VivadoAccelerator", "vitis"):
        config = {"Backend": backend, "HLSConfig": {"Model": {"ReuseFactor": 1}}}
        assert convertible_config(config) == (config, [])
    assert convertible_config({"HLSConfig": {}}) == ({"HLSConfig": {}}, [])
