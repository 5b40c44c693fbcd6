"""Model-card schema: valid cards load, every kind of bad card gives one clear line, exit 2."""

from pathlib import Path

import pytest

from l1forge.card import card_sha256
from l1forge.tasks import load_card
from l1forge.card.load import training_sha256
from l1forge.cli import main
from l1forge.errors import UserError

REPO = Path(__file__).resolve().parents[2]
JET_ID = REPO / "l1models" / "jet_id.yaml"


def write(tmp_path, text, name="card.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def minimal(extra=""):
    return (
        "name: tiny\n"
        "model:\n"
        "  input_shape: [16]\n"
        "  layers:\n"
        "    - {type: dense, units: 8}\n"
        "    - {type: relu}\n"
        "    - {type: dense, units: 5}\n"
        "    - {type: softmax}\n" + extra
    )


def test_jet_id_card_matches_the_published_architecture():
    card = load_card(JET_ID)
    dense = [layer.units for layer in card.model.layers if layer.type == "dense"]
    assert card.model.input_shape == (16,)
    assert dense == [64, 32, 32, 5]
    assert card.quantization.weight_bits == 6 and card.quantization.activation_bits == 6
    assert card.model.layers[-1].type == "softmax"
    assert card.target.reuse_factor == 1


def test_defaults_fill_every_section_and_unnamed_layers_get_names(tmp_path):
    card = load_card(write(tmp_path, minimal()))
    assert card.training.epochs == 30 and card.target.backend == "Vitis"
    assert [layer.name for layer in card.model.layers] == ["dense_0", "relu_1", "dense_2", "softmax_3"]


def test_overrides_change_the_hash_and_target_changes_keep_the_training_hash(tmp_path):
    path = write(tmp_path, minimal())
    base = load_card(path)
    more_epochs = load_card(path, {"training.epochs": 3})
    other_part = load_card(path, {"target.reuse_factor": 4})
    assert more_epochs.training.epochs == 3
    assert card_sha256(base) != card_sha256(more_epochs)
    assert training_sha256(base) != training_sha256(more_epochs)
    assert card_sha256(base) != card_sha256(other_part)
    assert training_sha256(base) == training_sha256(other_part)


BAD_CARDS = [
    ("name: [unclosed\n", "malformed YAML at line 2"),
    ("- just\n- a list\n", "expected a YAML mapping"),
    (minimal("trainng:\n  epochs: 3\n"), "did you mean 'training'"),
    (minimal("training:\n  epoch: 3\n"), "did you mean 'epochs'"),
    (minimal("training:\n  epochs: many\n"), "'training.epochs': expected an integer"),
    (minimal("training:\n  learning_rate: true\n"), "expected a number"),
    (minimal().replace("units: 8", "units: 0"), "positive number of units, got 0"),
    (minimal().replace("units: 8", "units: -3"), "positive number of units, got -3"),
    (minimal("quantization:\n  weight_bits: 40\n"), "bit width from 2 to 32, got 40"),
    (minimal("quantization:\n  activation_integer: 9\n"), "integer bits from 0 to 6"),
    (minimal().replace("name: tiny", "name: 9lives"), "a C identifier"),
    (minimal().replace("name: tiny", "name: my-model"), "a C identifier"),
    (minimal().replace("name: tiny", "name: class"), "not a C++ keyword"),
    (minimal().replace("{type: relu}", "{type: rleu}"), "did you mean 'relu'"),
    (minimal().replace("{type: relu}", "{type: leaky_relu, alpha: 0.3}"), "power of two below 1"),
    (minimal().replace("{type: relu}", "{type: leaky_relu, alpha: 1.0}"), "got 1.0"),
    (minimal("target:\n  io_type: io_streem\n"), "did you mean 'io_stream'"),
    (minimal("target:\n  reuse_factor: 0\n"), "at least 1, got 0"),
    (minimal("trigger:\n  rates_hz: [40000000]\n"), "below 40 MHz"),
    (minimal("trigger:\n  rates_hz: [-5]\n"), "above 0"),
    ("model:\n  layers: []\n", "missing field at 'name'"),
    (minimal().replace("    - {type: dense, units: 8}\n    - {type: relu}\n    - {type: dense, units: 5}\n"
                       "    - {type: softmax}\n", "    []\n"), "non-empty list of layers"),
]


@pytest.mark.parametrize("text,expected", BAD_CARDS, ids=[e for _, e in BAD_CARDS])
def test_bad_cards_are_refused_with_one_line_naming_file_and_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_card(path)
    message = str(err.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_cli_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, minimal("training:\n  epochs: many\n"))
    projects = tmp_path / "projects"
    code = main(["build", str(path), "--projects", str(projects)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("l1forge: error:") and len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert not projects.exists()


def test_missing_card_and_binary_card(tmp_path):
    with pytest.raises(UserError, match="no such card file"):
        load_card(tmp_path / "absent.yaml")
    binary = tmp_path / "card.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x80")
    with pytest.raises(UserError, match="not a text file|malformed YAML"):
        load_card(binary)


def test_set_override_syntax_is_checked(tmp_path, capsys):
    path = write(tmp_path, minimal())
    assert main(["build", str(path), "--projects", str(tmp_path / "p"), "--set", "epochs"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_overrides_reach_into_the_layer_list_by_index():
    card = load_card(REPO / "l1models" / "jet_id.yaml", {"model.layers[0].units": 8})
    assert card.model.layers[0].units == 8
    with pytest.raises(UserError, match=r"--set model.layers\[40\].units: the card's 'layers' has 8 entries"):
        load_card(REPO / "l1models" / "jet_id.yaml", {"model.layers[40].units": 8})
    with pytest.raises(UserError, match="'training.epochs' is not a section of the card"):
        load_card(REPO / "l1models" / "jet_id.yaml", {"training.epochs.x": 8})


def test_a_family_field_lives_in_its_task_and_is_refused_elsewhere():
    from l1forge.errors import UserError
    from l1forge.tasks import load_card as load

    vae = load("l1models/ad_vae.yaml")
    assert vae.family.model.latent_dim == 3 and vae.family.data.signals
    assert not hasattr(vae.model, "latent_dim") and not hasattr(vae.data, "signals")
    assert load("l1models/jet_id.yaml").family.model is None
    with pytest.raises(UserError, match=r"'model.vae_score' for task jet_id: expected no value "
                                        r"\(a field of task vae\)"):
        load("l1models/jet_id.yaml", {"model.vae_score": "kl"})


def test_rtl_in_a_build_is_for_distributed_arithmetic_cards():
    from l1forge.errors import UserError
    from l1forge.tasks import load_card as load

    assert load("l1models/jet_id.yaml").rtl.build is False
    with pytest.raises(UserError, match=r"'rtl.build': expected false unless target.strategy is distributed_arithmetic"):
        load("l1models/jet_id.yaml", {"rtl.build": True})
    with pytest.raises(UserError, match=r"'rtl.events': expected at least 1"):
        load("l1models/jet_id_compact.yaml", {"rtl.build": True, "rtl.events": 0})


def test_the_clock_uncertainty_reaches_hls4ml_and_the_manifest(tmp_path, monkeypatch):
    import importlib

    import hls4ml

    from l1forge.card_specs import firmware_spec

    convert_module = importlib.import_module("l1forge.firmware.convert")

    card = load_card(write(tmp_path, minimal("target:\n  clock_uncertainty: \"12.5%\"\n")))
    spec = firmware_spec(card)
    assert spec.target_dict()["clock_uncertainty"] == "12.5%"
    assert "clock_uncertainty" not in firmware_spec(load_card(write(tmp_path, minimal(), "b.yaml"))).target_dict()
    seen = {}
    monkeypatch.setattr(convert_module, "hls_config", lambda *a, **k: {"Model": {}})
    monkeypatch.setattr(hls4ml.converters, "convert_from_keras_model", lambda model, **kw: seen.update(kw))
    convert_module.convert(spec, None, tmp_path / "out")
    assert seen["clock_uncertainty"] == "12.5%" and seen["backend"] == "Vitis"


@pytest.mark.parametrize("value", ["lots", "\"5.0\"", "\"120%\""])
def test_a_bad_clock_uncertainty_is_one_line(tmp_path, capsys, value):
    path = write(tmp_path, minimal(f"target:\n  clock_uncertainty: {value}\n"))
    with pytest.raises(UserError, match="target.clock_uncertainty") as err:
        load_card(path)
    assert "\n" not in str(err.value)
