"""Model families are Task objects registered by name; a new family is one class."""

import pytest
import yaml

from l1forge.tasks import load_card
from l1forge.card.checks import bad
from l1forge.errors import UserError
from l1forge.tasks import TASKS, Task, task_for
from l1forge.tasks.autoencoder import Autoencoder
from l1forge.tasks.jet_tagging import JetTagging
from l1forge.tasks.vae import VAE


def test_each_committed_card_gets_its_family():
    kinds = {"jet_id": JetTagging, "ad_dense_ae": Autoencoder, "ad_cnn_ae": Autoencoder, "ad_vae": VAE}
    for card_name, kind in kinds.items():
        card = load_card(f"l1models/{card_name}.yaml")
        assert type(task_for(card)) is kind


def test_only_anomaly_families_add_score_passes():
    jet, vae = load_card("l1models/jet_id.yaml"), load_card("l1models/ad_vae.yaml")
    assert task_for(jet).config_passes(jet) == ()
    assert [p.__name__ for p in task_for(vae).config_passes(vae)] == ["score_types"]


class CountingTask(Task):
    """A family registered at run time: the card stage must call its checks."""

    name = "counting"

    def check_card(self, card):
        if card.model.input_shape != (3,):
            bad(card.source, "model.input_shape", "three inputs for the counting family")


def _card(tmp_path, shape):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"name": "c", "task": "counting",
                                    "model": {"input_shape": shape, "layers": [{"type": "dense", "units": 2}]}}))
    return path


def test_a_new_family_is_one_registry_entry(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="expected one of jet_id, jet_deepsets, autoencoder, vae, got 'counting'"):
        load_card(_card(tmp_path, [3]))
    monkeypatch.setitem(TASKS, "counting", CountingTask())
    assert isinstance(task_for(load_card(_card(tmp_path, [3]))), CountingTask)
    with pytest.raises(UserError, match="three inputs for the counting family"):
        load_card(_card(tmp_path, [4]))


def test_the_base_class_names_what_a_family_must_provide():
    card = load_card("l1models/jet_id.yaml")
    with pytest.raises(NotImplementedError, match="CountingTask.prepare"):
        CountingTask().prepare(card)
    assert CountingTask().post_build(card, None) is None
