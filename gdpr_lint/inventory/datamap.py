"""The reviewed data map: the inventory's keys, committed at the project root and owned by
whoever reviews processing (CODEOWNERS). `check` compares the code with it (GDPR004).

The file holds no line numbers, so only a change of meaning changes it: one entry per
line, sorted, so that its git diff is the review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from gdpr_lint.inventory.entries import CHANGING, KEY_FIELDS, Entry

MAP_FILENAME = "gdpr-data-map.json"
FORMAT = 1


class DataMapError(Exception):
    """The map file exists but cannot be read as a data map."""


def render_map(entries: List[Entry]) -> str:
    lines = [json.dumps(e.to_map(), sort_keys=True, ensure_ascii=False) for e in entries]
    unique = sorted(set(lines), key=lines.index)
    body = ",\n".join("    " + line for line in unique)
    return '{\n  "data_map": "gdpr-lint",\n  "format": %d,\n  "entries": [\n%s%s  ]\n}\n' % (
        FORMAT,
        body,
        "\n" if body else "",
    )


def load_map(path: Path) -> Tuple[List[Entry], Dict[tuple, int]]:
    """(entries, line of each entry's key in the file)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise DataMapError(f"{path}: cannot read the data map ({exc})") from None
    except ValueError as exc:
        raise DataMapError(f"{path}: not valid JSON ({exc}); rewrite it with `gdpr-lint inventory --write`") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise DataMapError(f'{path}: not a data map (no "entries" list)')
    if data.get("format") != FORMAT:
        raise DataMapError(f"{path}: data map format {data.get('format')!r}, this gdpr-lint reads {FORMAT}")
    entries = []
    for index, item in enumerate(data["entries"]):
        try:
            entries.append(Entry.from_map(item))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataMapError(f"{path}: entry {index + 1} is not a data map entry ({exc})") from None
    lines: Dict[tuple, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().rstrip(",")
        if stripped.startswith('{"') and '"kind"' in stripped:
            try:
                lines.setdefault(Entry.from_map(json.loads(stripped)).key, number)
            except (ValueError, KeyError, TypeError):
                continue
    return entries, lines


@dataclass
class Change:
    sign: str  # "+" added, "-" removed, "~" changed or moved
    entry: Entry  # the new entry (the old one for a removal)
    old: Optional[Entry] = None

    def sort_key(self) -> tuple:
        return self.entry.sort_key() + ("-+~".index(self.sign),)


def compare(old: List[Entry], new: List[Entry]) -> List[Change]:
    """What `new` adds, removes and changes against `old`. An entry whose only difference is
    its changing value (a lifetime's days, a region) is one `~`; so is one that moved to
    another function or file with its facts unchanged, when the move is unambiguous."""
    old_keys = {e.key: e for e in old}
    new_keys = {e.key: e for e in new}
    removed = [e for k, e in old_keys.items() if k not in new_keys]
    added = [e for k, e in new_keys.items() if k not in old_keys]
    changes: List[Change] = []

    def pair(key_of) -> None:
        before: Dict[tuple, List[Entry]] = {}
        for entry in removed:
            before.setdefault(key_of(entry), []).append(entry)
        after: Dict[tuple, List[Entry]] = {}
        for entry in added:
            after.setdefault(key_of(entry), []).append(entry)
        for key, olds in before.items():
            news = after.get(key, [])
            if len(olds) == 1 and len(news) == 1:
                changes.append(Change("~", news[0], olds[0]))
                removed.remove(olds[0])
                added.remove(news[0])

    def without_value(entry: Entry) -> tuple:
        changing = CHANGING.get(entry.kind)
        return (entry.kind, entry.path, entry.scope) + tuple(
            str(entry.facts.get(f, "")) for f in KEY_FIELDS[entry.kind] if f != changing
        )

    def without_place(entry: Entry) -> tuple:
        return (entry.kind,) + tuple(str(entry.facts.get(f, "")) for f in KEY_FIELDS[entry.kind])

    pair(without_value)
    pair(without_place)
    changes += [Change("-", e) for e in removed] + [Change("+", e) for e in added]
    changes.sort(key=Change.sort_key)
    return changes


def describe(change: Change, describer) -> str:
    sign = {"+": "+", "-": "−", "~": "~"}[change.sign]
    if change.sign != "~":
        return f"{sign} {describer.phrase(change.entry)}"
    old, new = change.old, change.entry
    assert old is not None  # a "~" change has both
    if (old.path, old.scope) != (new.path, new.scope):
        return f"~ {describer.phrase(old)} moved to [{new.location}]"
    return f"~ {describer.changed(old, new)}"


def scope_for_partial_run(
    checked: List[str], walked_folders: bool, root: Path, cwd: Path, old: List[Entry]
) -> Set[str]:
    """The map paths a run can speak for. A run that checked only some files (pre-commit
    names the staged ones) compares only the entries located in them, so the map is not
    "outdated" just because the other files were not looked at; entries of files that no
    longer exist count when the run walked folders."""
    paths = {_map_path(p, root, cwd) for p in checked}
    if walked_folders:
        paths |= {e.path for e in old if not (root / e.path).exists()}
    return paths


def _map_path(display: str, root: Path, cwd: Path) -> str:
    """A display path (relative to the working directory) as the map names it: relative to
    the project root, `/`-separated."""
    import os

    absolute = Path(display) if os.path.isabs(display) else cwd / display
    try:
        return Path(os.path.relpath(absolute, root)).as_posix()
    except ValueError:
        return Path(display).as_posix()
