"""Loads the knowledge packs (rules/*.toml and user rule packs) into one read-only catalogue.

Every TOML file may hold `[[rule]]` entries (rule identity and docs) and any other
top-level tables. Tables from all files are deep-merged (dicts merged, lists
concatenated), so a family's data or a user's pack extends what ships.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from gdpr_lint._lazy import sha256
from gdpr_lint._records import fields
from gdpr_lint.model import SEVERITIES, Rule

# A run that finds its packs in the start-up cache never parses or validates them: the TOML
# parser and the pack schema are imported by _load, when the cache cannot answer.


class KnowledgeError(Exception):
    """A rule pack is missing, unreadable or malformed."""


_RULE_FIELDS = {f.name for f in fields(Rule)}
_REQUIRED_RULE_FIELDS = ("code", "name", "family", "severity", "gdpr", "summary")


def builtin_rules_dir() -> Path:
    """The packs that ship with the tool: rules/ in a checkout, gdpr_lint/_rules in a wheel."""
    here = Path(__file__).resolve().parent
    checkout = here.parent / "rules"
    if (checkout / "pii.toml").is_file():
        return checkout
    installed = here / "_rules"
    if (installed / "pii.toml").is_file():
        return installed
    import importlib.util

    spec = importlib.util.find_spec("gdpr_lint._rules")
    if spec and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    raise KnowledgeError("the built-in rule packs (rules/*.toml) are missing from the installation")


def _kind(value) -> str:
    return "a table" if isinstance(value, dict) else "a list" if isinstance(value, list) else "a value"


def _merge(into: dict, new: dict, source: str, table: str = "") -> None:
    for key, value in new.items():
        if key in into:
            old = into[key]
            if isinstance(old, dict) and isinstance(value, dict):
                _merge(old, value, source, f"{table}{key}.")
            elif isinstance(old, list) and isinstance(value, list):
                old.extend(value)
            elif isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
                # a pack cannot turn a table into a number: the checks would fail on it later,
                # with a traceback instead of a line naming the pack and the key
                raise KnowledgeError(
                    f"{source}: {table}{key} must be {_kind(old)} (as in the packs before it), not {_kind(value)}"
                )
            else:
                into[key] = value
        else:
            into[key] = value


class Knowledge:
    """Read-only catalogues: `rules` (code -> Rule) and `tables` (merged TOML tables)."""

    def __init__(self, rules: Dict[str, Rule], tables: dict, digest: str):
        self.rules = rules
        self.tables = tables
        self.digest = digest  # changes whenever any pack changes (cache key)
        self.by_name = {rule.name: rule for rule in rules.values()}

    def rule(self, code_or_name: str) -> Rule:
        if code_or_name in self.rules:
            return self.rules[code_or_name]
        return self.by_name[code_or_name]


def _pack_files(folders: Sequence[Path]) -> List[Path]:
    files: List[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise KnowledgeError(f"rule pack folder {folder} does not exist")
        files.extend(sorted(p for p in folder.glob("*.toml") if p.is_file()))
    return files


def _make_rule(entry, source: Path) -> Rule:
    if not isinstance(entry, dict):
        raise KnowledgeError(f"{source}: each rule must be a [[rule]] table")
    missing = [k for k in _REQUIRED_RULE_FIELDS if k not in entry]
    if missing:
        raise KnowledgeError(f"{source}: rule {entry.get('code', '?')} lacks {', '.join(missing)}")
    unknown = sorted(set(entry) - _RULE_FIELDS)
    if unknown:
        from gdpr_lint.hints import did_you_mean

        raise KnowledgeError(
            f'{source}: rule {entry["code"]}: unknown key "{unknown[0]}"{did_you_mean(unknown[0], _RULE_FIELDS)}'
        )
    if entry["severity"] not in SEVERITIES:
        raise KnowledgeError(f"{source}: rule {entry['code']} has severity {entry['severity']!r}")
    for key, value in entry.items():
        expected = bool if key in ("default_enabled", "security_relevant") else list if key == "tags" else str
        if not isinstance(value, expected) or (isinstance(value, list) and not all(isinstance(t, str) for t in value)):
            what = {bool: "true or false", list: "a list of strings", str: "a string"}[expected]
            raise KnowledgeError(f"{source}: rule {entry['code']!s}: {key} must be {what}")
    values = dict(entry)
    values["tags"] = tuple(values.get("tags", ()))
    return Rule(**values)


def load(extra_folders: Iterable[Union[str, os.PathLike]] = (), cache_dir: Optional[Path] = None) -> Knowledge:
    """The packs, parsed; with cache_dir, a start-up cache is reused, keyed by this code's
    version, the built-in packs' names, sizes and times and the bytes of a user's packs, so a
    pre-commit run does not parse the TOML again."""
    folders = [builtin_rules_dir()] + [Path(f) for f in extra_folders]
    if cache_dir is None:
        return _load(folders)
    from gdpr_lint.code_id import code_version

    digest = sha256(code_version().encode())  # the code that builds the tables from the packs, too
    digest.update(b"%d\0" % _CACHE_FORMAT)
    builtin = _pack_files(folders[:1])
    for path in builtin:
        # the packs that ship with the code are known as the code is (code_id.py: each file's
        # name, size and modification time), without reading their 340 KB on every start
        try:
            stat = path.stat()
        except OSError as exc:
            raise KnowledgeError(f"cannot read rule pack {path}: {exc}") from exc
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode("utf-8", "surrogatepass"))
    for path in _pack_files(folders[1:]):  # a user's packs, by their bytes
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError as exc:
            raise KnowledgeError(f"cannot read rule pack {path}: {exc}") from exc
    cached = Path(cache_dir) / f"knowledge-{digest.hexdigest()[:24]}.marshal"
    knowledge = _from_plain(read_cache_file(cached))
    if knowledge is not None:
        return knowledge
    knowledge = _load(folders)
    data = dump_cache_data(_to_plain(knowledge))
    if data is not None:
        write_cache_file(cached, data)
    return knowledge


_CACHE_FORMAT = 1  # of the plain form below: part of the cache key


def _to_plain(knowledge: Knowledge) -> dict:
    """The catalogue as plain data (dicts, lists, tuples, strings, numbers)."""
    rules = [{f.name: getattr(rule, f.name) for f in fields(Rule)} for rule in knowledge.rules.values()]
    return {"format": _CACHE_FORMAT, "rules": rules, "tables": knowledge.tables, "digest": knowledge.digest}


def _from_plain(data) -> Optional[Knowledge]:
    """The catalogue of a start-up cache file, or None when it is not one of ours."""
    if not isinstance(data, dict) or data.get("format") != _CACHE_FORMAT:
        return None
    try:
        rules = {}
        for entry in data["rules"]:
            rule = Rule(**entry)
            rules[rule.code] = rule
        tables, digest = data["tables"], data["digest"]
    except (TypeError, KeyError, AttributeError):
        return None
    if not isinstance(tables, dict) or not isinstance(digest, str):
        return None
    return Knowledge(rules, tables, digest)


# The start-up caches (the parsed packs, the pre-filter, parsed config files) hold `marshal`
# data: dicts, lists, tuples, sets, strings, bytes and numbers, nothing that names a function
# or a class. The cache folder is in the checkout (`.gdpr_lint_cache`, or any `cache-dir`), so
# a repository can ship a file there: a pickle would run whatever callable it names (and
# pickle's import costs every start a few milliseconds); marshal data is only data, whose
# shape its reader checks. A TOML date in a user's pack (no marshal data) means no cache file.


def dump_cache_data(data) -> Optional[bytes]:
    """`data` as the bytes of a start-up cache file, or None when it cannot be one."""
    try:
        return marshal.dumps(data)
    except ValueError:  # an object marshal does not know (a datetime from a TOML date)
        return None


def read_cache_file(path: Path):
    """What a start-up cache file holds, or None when it is missing or damaged (then the
    caller builds it again). The caller checks the shape of what it gets."""
    try:
        with open(path, "rb") as handle:
            return marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError, MemoryError, RecursionError):
        return None


def write_cache_file(path: Path, data: bytes) -> None:
    """Atomic write into the cache folder (files.replace_atomically); a read-only checkout
    just has no cache."""
    from gdpr_lint.files import replace_atomically

    try:
        try:
            path.parent.mkdir(parents=True)
        except FileExistsError:
            pass
        else:
            # only in a folder this run made: `--cache-dir .` wrote "*" into the project's own
            # .gitignore, and the walk then skipped every file as git-ignored (a silent pass)
            (path.parent / ".gitignore").write_text("# created by gdpr-lint\n*\n", encoding="utf-8")
        replace_atomically(str(path), data)
    except OSError:
        pass  # no cache this time


def _load(folders: Sequence[Path]) -> Knowledge:
    import sys

    from gdpr_lint.pack_schema import validate_pack, validate_references
    from gdpr_lint.pack_spec import PackError

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10
        import tomli as tomllib

    digest = sha256()
    rules: Dict[str, Rule] = {}
    tables: dict = {}
    for path in _pack_files(folders):
        try:
            raw = path.read_bytes()
            data = tomllib.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise KnowledgeError(f"cannot read rule pack {path}: {exc}") from exc
        digest.update(path.name.encode() + b"\0" + raw)
        entries = data.pop("rule", [])
        try:
            validate_pack(data)
        except PackError as exc:
            raise KnowledgeError(f"{path}: {exc}") from None
        if not isinstance(entries, list):
            raise KnowledgeError(f"{path}: rule must be an array of [[rule]] tables")
        for entry in entries:
            rule = _make_rule(entry, path)
            rules[rule.code] = rule
        _merge(tables, data, str(path))
    try:
        validate_references(tables, rules)
    except PackError as exc:
        raise KnowledgeError(f"rule packs {', '.join(str(f) for f in folders)}: {exc}") from None
    return Knowledge(dict(sorted(rules.items())), tables, digest.hexdigest())


def rule_families(kb: Knowledge) -> Tuple[str, ...]:
    return tuple(sorted({rule.family for rule in kb.rules.values()}))
