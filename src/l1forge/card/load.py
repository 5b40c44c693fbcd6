"""Read a model card: YAML -> overrides -> schema dataclasses -> semantic checks."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

import yaml

from l1forge.card import fields
from l1forge.card.checks import check_card, named_layers
from l1forge.card.schema import Card
from l1forge.errors import UserError


def read_card(path: str | Path, overrides: dict[str, Any] | None, task_names: Iterable[str]) -> Card:
    """Read a card and check what every family shares; `overrides` maps dotted keys
    (`training.epochs`) to values. The family's own checks follow in `tasks.load_card`."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise UserError(f"{source}: no such card file; expected a YAML model card (see l1models/)")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise UserError(f"{source}: malformed YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise UserError(f"{source}: not a text file; expected a YAML model card") from None
    if not isinstance(raw, dict):
        raise UserError(f"{source}: expected a YAML mapping of card fields, got {type(raw).__name__}")
    for key, value in (overrides or {}).items():
        _set_dotted(raw, key, value)
    card = fields.build(Card, raw, "", source)
    card = _with_source(card, source)
    check_card(card, task_names)
    return named_layers(card)


def card_sha256(card: Card) -> str:
    """Hash of the resolved card (overrides included, file location excluded)."""
    content = asdict(card)
    content.pop("source", None)
    blob = json.dumps(content, sort_keys=True, default=list).encode()
    return hashlib.sha256(blob).hexdigest()


def training_sha256(card: Card) -> str:
    """Hash of what decides the trained weights (not the firmware target nor trigger rates):
    a trained model is reused across builds that change only the target."""
    content = {k: v for k, v in card_dict(card).items() if k not in ("target", "trigger", "description")}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def card_dict(card: Card) -> dict[str, Any]:
    content = asdict(card)
    content.pop("source", None)
    return json.loads(json.dumps(content, default=list))


_INDEXED = re.compile(r"^([A-Za-z_]\w*)\[(\d+)\]$")


def _set_dotted(raw: dict, key: str, value: Any) -> None:
    """Set `key` ('training.epochs', or 'model.layers[2].units' into a list) in `raw`."""
    node: Any = raw
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        indexed = _INDEXED.match(part)
        if not isinstance(node, dict):
            raise UserError(f"--set {key}: '{'.'.join(parts[:depth])}' is not a section of the card")
        if indexed:
            name, index = indexed.group(1), int(indexed.group(2))
            items = node.get(name)
            if not isinstance(items, list) or index >= len(items):
                count = len(items) if isinstance(items, list) else 0
                raise UserError(f"--set {key}: the card's '{name}' has {count} entries; expected an "
                                f"index below {count}")
            if last:
                items[index] = value
                return
            node = items[index]
        elif last:
            node[part] = value
        else:
            node = node.setdefault(part, {})


def _with_source(card: Card, source: str) -> Card:
    from dataclasses import replace

    return replace(card, source=source)
