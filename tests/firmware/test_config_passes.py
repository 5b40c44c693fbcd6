"""The hls4ml config passes: their order, and the project config relocation."""

import yaml

from l1forge.firmware import passes
from l1forge.firmware.convert import relocate_config
from l1forge.firmware.loading import CONFIG_NAME, read_config


def test_the_common_passes_run_in_the_documented_order():
    names = [p.__name__ for p in passes.COMMON_PASSES]
    assert names == ["strategy_and_reuse", "input_type", "softmax_tables", "activation_tables",
                     "batchnorm_types", "convolution_parallelization", "leaky_relu_clip",
                     "pooling_types", "quantized_linear_results"]
    documented = [line.split("`")[1] for line in passes.__doc__.splitlines() if line.startswith("- `")]
    assert documented == names


class SavesNothing:
    def save(self, path):
        path.write_text("model")


def test_relocation_edits_the_yaml_and_keeps_hls4ml_s_model_tag(tmp_path):
    built, final = tmp_path / ".p.partial-1", tmp_path / "p"
    built.mkdir()
    (built / CONFIG_NAME).write_text(
        f"Backend: Vitis\nKerasModel: !keras_model '{built}/keras_model.keras'\n"
        f"OutputDir: {built}\nProjectName: jet_id\nHLSConfig:\n  Model: {{Precision: 'fixed<16,6>'}}\n"
        f"Description: built in {built}\n")
    relocate_config(built, final, SavesNothing())
    text = (built / CONFIG_NAME).read_text()
    assert f"KerasModel: !keras_model '{final.resolve()}/keras_model.h5'" in text \
        or f"KerasModel: !keras_model {final.resolve()}/keras_model.h5" in text
    config = read_config(built)
    assert config["OutputDir"] == str(final.resolve())
    assert config["HLSConfig"] == {"Model": {"Precision": "fixed<16,6>"}}
    # only the two paths move: other text that happens to hold the path is left alone
    assert config["Description"] == f"built in {built}"
    assert (built / "keras_model.h5").read_text() == "model"
    assert yaml.safe_load(text.replace("!keras_model", ""))["ProjectName"] == "jet_id"
