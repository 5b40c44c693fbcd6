"""Model families: one `Task` subclass per family (tasks/base.py), registered here by name.

A new family is one file in this package plus its card: its class, and one line in TASKS.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from l1forge.card.load import read_card
from l1forge.errors import UserError
from l1forge.tasks.autoencoder import Autoencoder
from l1forge.tasks.base import BuildContext, Split, Task, split_indices
from l1forge.tasks.deep_sets import DeepSets
from l1forge.tasks.jet_tagging import JetTagging
from l1forge.tasks.vae import VAE

if TYPE_CHECKING:
    from l1forge.card.schema import Card

TASKS: dict[str, Task] = {task.name: task for task in (JetTagging(), DeepSets(), Autoencoder(), VAE())}


def load_card(path: str | Path, overrides: dict[str, Any] | None = None) -> Card:
    """Load and validate a card: the shared checks (card/), then its family's own (the
    network's layers, pruning and the family's fields); `overrides` maps dotted keys
    (`training.epochs`) to values."""
    card = read_card(path, overrides, {name: (task.model_fields, task.data_fields) for name, task in TASKS.items()})
    TASKS[card.task].check_card(card)
    return card


def task_for(card: Card) -> Task:
    """The Task object of the card's `task` field (checked when the card was loaded)."""
    try:
        return TASKS[card.task]
    except KeyError:
        raise UserError(f"{card.source}: task '{card.task}' is not available in this l1forge "
                        f"build; expected one of {', '.join(TASKS)}") from None


__all__ = ["TASKS", "BuildContext", "load_card", "Split", "Task", "split_indices", "task_for"]
