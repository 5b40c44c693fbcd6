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


def test_a_named_pointwise_convolution_keeps_every_position_in_one_call():
    """hls4ml 1.0's Pointwise kernel computed all output positions at once: the layer gets
    ParallelizationFactor = its output width (hls4ml 1.3's one-partition batched dense)."""
    config = {"HLSConfig": {
        "Model": {"ConvImplementation": "Pointwise"},
        "LayerName": {"conv1": {"ConvImplementation": "Pointwise", "ReuseFactor": 2},
                      "conv2": {"ConvImplementation": "Pointwise", "ParallelizationFactor": 5},
                      "conv3": {"ConvImplementation": "Pointwise"}}}}
    converted, notes = convertible_config(config, {"conv1": 10, "conv2": 10})
    layers = converted["HLSConfig"]["LayerName"]
    assert layers["conv1"] == {"ReuseFactor": 2, "ParallelizationFactor": 10}
    assert layers["conv2"] == {"ParallelizationFactor": 5}  # the project's own factor stays
    assert layers["conv3"] == {}  # width unknown: dropped only
    assert converted["HLSConfig"]["Model"] == {}  # not a named layer: dropped only
    assert sum("ParallelizationFactor 10" in note for note in notes) == 1


def test_conv1d_output_widths_reads_three_dimensional_outputs():
    from types import SimpleNamespace

    from l1forge.firmware.loading import _conv1d_output_widths

    class NoShape:
        name = "odd"

        @property
        def output_shape(self):
            raise AttributeError("several outputs")

    model = SimpleNamespace(layers=[SimpleNamespace(name="conv", output_shape=(None, 10, 4)),
                                    SimpleNamespace(name="fc", output_shape=(None, 4)), NoShape()])
    assert _conv1d_output_widths(model) == {"conv": 10}


def test_a_lower_case_conv_implementation_is_spelled_as_hls4ml_accepts():
    config = {"HLSConfig": {"LayerName": {"conv1d": {"ConvImplementation": "encoded"},
                                          "conv1d_1": {"ConvImplementation": "linebuffer"}}}}
    converted, notes = convertible_config(config)
    names = converted["HLSConfig"]["LayerName"]
    assert names["conv1d"]["ConvImplementation"] == "Encoded"
    assert names["conv1d_1"]["ConvImplementation"] == "LineBuffer"
    assert len(notes) == 2 and "'encoded' read as 'Encoded'" in notes[0]
