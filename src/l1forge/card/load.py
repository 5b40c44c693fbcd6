"""Read a model card: YAML -> overrides -> schema dataclasses -> semantic checks."""

from __future__ import annotations

import hashlib
import json
import re
import dataclasses
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from l1forge.card import fields
from l1forge.card.checks import check_card, named_layers, one_of
from l1forge.card.schema import Card, Family
from l1forge.errors import UserError


def read_card(path: str | Path, overrides: dict[str, Any] | None,
              families: Mapping[str, tuple[type | None, type | None]]) -> Card:
    """Read a card and check what every family shares; `overrides` maps dotted keys
    (`training.epochs`) to values. `families` maps each task name to the dataclasses of its
    own `model:` and `data:` fields (or None): those fields are read into `card.family`,
    and a field no family of the card's task declares is an unknown field. The family's own
    checks follow in `tasks.load_card`."""
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
    task = raw.get("task", Card.task)
    if isinstance(task, str):
        one_of(source, "task", task, tuple(families))
    model_cls, data_cls = families.get(task, (None, None)) if isinstance(task, str) else (None, None)
    family_model, family_data = _take(raw, "model", model_cls), _take(raw, "data", data_cls)
    _refuse_other_families(raw, task, families, source)
    card = fields.build(Card, raw, "", source)
    family = Family(fields.build(model_cls, family_model, "model", source) if model_cls else None,
                    fields.build(data_cls, family_data, "data", source) if data_cls else None)
    card = replace(card, family=family, source=source)
    check_card(card, families)
    return named_layers(card)


def _take(raw: dict, section: str, cls: type | None) -> dict:
    """Move the fields `cls` declares out of `raw[section]` (the family's own)."""
    content = raw.get(section)
    if cls is None or not isinstance(content, dict):
        return {}
    names = {f.name for f in dataclasses.fields(cls)}
    taken = {key: content.pop(key) for key in list(content) if key in names}
    return taken


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


def _refuse_other_families(raw: dict, task: str, families, source: str) -> None:
    """A field another family declares, on a card of this task: say whose field it is."""
    for section, index in (("model", 0), ("data", 1)):
        content = raw.get(section)
        if not isinstance(content, dict):
            continue
        for key in content:
            owners = [name for name, declared in families.items() if declared[index] is not None
                      and key in {f.name for f in dataclasses.fields(declared[index])}]
            if owners:
                raise UserError(f"{source}: unknown field at '{section}.{key}' for task {task}: "
                                f"expected no value (a field of task {', '.join(owners)})")
