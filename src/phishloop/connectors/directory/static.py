"""The static directory file (YAML or CSV): the default directory.

YAML: `people:` (address, name, mailbox, aliases, vip) and `groups:` (address, name,
members). CSV: one row per entry with the columns `kind` (person or group), `address`,
`name`, `mailbox`, `aliases`, `vip`, `members`; lists are separated by `;`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from phishloop.connectors.directory.base import (
    DirectoryError,
    Group,
    Person,
    dedupe,
    normalize_address,
)
from phishloop.connectors.directory.memory import InMemoryDirectory
from phishloop.core.errors import ConfigError

_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}
GroupEntry = tuple[Group, Sequence[str]]


def load_static_directory(path: Path, **options: Any) -> InMemoryDirectory:
    """Read a `.yaml`/`.yml` or `.csv` directory file; ConfigError names the file and row."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read directory file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"directory file {path} is not UTF-8") from None
    if path.suffix.lower() == ".csv":
        people, groups = parse_csv(text, source=str(path))
    elif path.suffix.lower() in {".yaml", ".yml"}:
        people, groups = parse_document(_yaml(text, path), source=str(path))
    else:
        raise ConfigError(f"directory file {path}: use a .yaml, .yml or .csv file")
    try:
        return InMemoryDirectory(people, groups, **options)
    except DirectoryError as exc:
        raise ConfigError(f"directory file {path}: {exc}") from None


# libyaml's safe loader when PyYAML was built with it: ~10× faster on a directory of
# thousands of people, which every pull reads.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str, path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"directory file {path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"directory file {path}: expected people: and groups: at the top")
    return data


def parse_document(data: Mapping[str, Any], source: str) -> tuple[list[Person], list[GroupEntry]]:
    unknown = set(data) - {"people", "groups"}
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key {sorted(unknown)[0]!r}")
    people = [_person(row, f"{source}: people[{i}]") for i, row in enumerate(_rows(data, "people"))]
    groups = [_group(row, f"{source}: groups[{i}]") for i, row in enumerate(_rows(data, "groups"))]
    return people, groups


def parse_csv(text: str, source: str) -> tuple[list[Person], list[GroupEntry]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"kind", "address"} - set(reader.fieldnames or ())
    if missing:
        raise ConfigError(f"{source}: the CSV header needs the column {sorted(missing)[0]!r}")
    people: list[Person] = []
    groups: list[GroupEntry] = []
    for line, row in enumerate(reader, start=2):
        where = f"{source}: line {line}"
        kind = (row.get("kind") or "").strip().lower()
        fields = {key: _csv_value(key, value, where) for key, value in row.items() if key}
        fields.pop("kind", None)
        if kind == "person":
            fields.pop("members", None)
            people.append(_person(fields, where))
        elif kind == "group":
            for key in ("mailbox", "aliases", "vip"):
                fields.pop(key, None)
            groups.append(_group(fields, where))
        else:
            raise ConfigError(f"{where}: kind must be person or group, not {kind!r}")
    return people, groups


def _csv_value(key: str, value: str | None, where: str) -> Any:
    text = (value or "").strip()
    if key in {"aliases", "members"}:
        return [item.strip() for item in text.split(";") if item.strip()]
    if key == "vip":
        if text.lower() not in _TRUE | _FALSE:
            raise ConfigError(f"{where}: vip must be yes or no, not {text!r}")
        return text.lower() in _TRUE
    return text


def _rows(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = data.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise ConfigError(f"directory {key}: expected a list of entries")
    return rows


def _person(row: Mapping[str, Any], where: str) -> Person:
    _only(row, {"address", "name", "mailbox", "aliases", "vip"}, where)
    address = _address(row, where)
    vip = row.get("vip", False)
    if not isinstance(vip, bool):
        raise ConfigError(f"{where}: vip must be true or false")
    aliases = dedupe([normalize_address(a) for a in _strings(row, "aliases", where)])
    return Person(
        key=address,
        address=address,
        mailbox=_text(row, "mailbox", where) or address,
        name=_text(row, "name", where),
        aliases=tuple(a for a in aliases if a != address),
        vip=vip,
    )


def _group(row: Mapping[str, Any], where: str) -> GroupEntry:
    _only(row, {"address", "name", "members"}, where)
    address = _text(row, "address", where).lower() or None
    name = _text(row, "name", where) or (address or "").partition("@")[0]
    if not name:
        raise ConfigError(f"{where}: a group needs an address or a name")
    return Group(key=address or name, address=address, name=name), _strings(row, "members", where)


def _only(row: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")


def _address(row: Mapping[str, Any], where: str) -> str:
    address = normalize_address(_text(row, "address", where))
    if "@" not in address:
        raise ConfigError(f"{where}: address must be an e-mail address, not {address!r}")
    return address


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key) or ""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be text")
    return value.strip()


def _strings(row: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of addresses")
    return [v.strip() for v in value if v.strip()]
