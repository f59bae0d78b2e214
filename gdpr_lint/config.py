"""Configuration discovery and strict validation -> one frozen Config.

Every key of the contract is checked for its type; an unknown key names the closest
known one. Errors are ConfigError with one line of text; the CLI turns them into exit 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from gdpr_lint._lazy import sha256
from gdpr_lint._records import asdict, field, record, replace
from gdpr_lint.hints import describe as _describe
from gdpr_lint.model import CONFIDENCES, SEVERITIES

CONFIG_FILES = (".gdpr-lint.toml", "gdpr-lint.toml", "pyproject.toml")


class ConfigError(Exception):
    """Invalid configuration or flags: one line for the user, exit code 2."""


@record(frozen=True)
class PiiConfig:
    extra_identifiers: Mapping[str, str] = field(default_factory=dict)
    ignore_identifiers: Tuple[str, ...] = ()
    sanitizers: Tuple[str, ...] = ()


@record(frozen=True)
class ResidencyConfig:
    allowed_jurisdictions: Tuple[str, ...] = ("EU", "EEA")
    allowed_regions: Tuple[str, ...] = ()


@record(frozen=True)
class RetentionConfig:
    max_days: int = 365
    limits: Mapping[str, int] = field(default_factory=dict)


@record(frozen=True)
class Config:
    select: Tuple[str, ...] = ("GDPR",)
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    rule_packs: Tuple[str, ...] = ()
    respect_gitignore: bool = True
    cache_dir: Optional[str] = None
    baseline: Optional[str] = None
    require_justification: bool = False
    non_suppressible: Tuple[str, ...] = ()
    fail_on: str = "info"
    min_confidence: str = "medium"  # findings less sure than this are not reported
    pii: PiiConfig = PiiConfig()
    residency: ResidencyConfig = ResidencyConfig()
    retention: RetentionConfig = RetentionConfig()
    root: str = "."  # folder the config was found in (patterns are relative to it)
    source: Optional[str] = None  # the file it came from, None for defaults
    source_style: str = "pyproject"  # "standalone": settings at the top level (gdpr-lint.toml)

    def digest(self) -> str:
        """Identity of everything that can change results (the cache key)."""
        data = asdict(self)
        data.pop("source", None)
        data.pop("source_style", None)
        data.pop("cache_dir", None)
        data.pop("baseline", None)
        return sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# ---- schema ------------------------------------------------------------------------------

_STR_LIST = "list of strings"
_SCHEMA: Dict[str, Any] = {
    "select": _STR_LIST,
    "extend-select": _STR_LIST,
    "ignore": _STR_LIST,
    "exclude": _STR_LIST,
    "extend-exclude": _STR_LIST,
    "per-file-ignores": "table of string lists",
    "rule-packs": _STR_LIST,
    "respect-gitignore": "boolean",
    "cache-dir": "string",
    "baseline": "string",
    "require-justification": "boolean",
    "non-suppressible": _STR_LIST,
    "fail-on": "severity",
    "min-confidence": "confidence",
    "pii": {
        "extra-identifiers": "table of strings",
        "ignore-identifiers": _STR_LIST,
        "sanitizers": _STR_LIST,
    },
    "residency": {
        "allowed-jurisdictions": _STR_LIST,
        "allowed-regions": _STR_LIST,
    },
    "retention": {
        "max-days": "positive integer",
        "limits": "table of positive integers",
    },
}


def _did_you_mean(key: str, known) -> str:
    from gdpr_lint.hints import did_you_mean

    return did_you_mean(key, known)


def _check_type(value, expected: str, where: str) -> None:
    def fail(what: str):
        raise ConfigError(f"{where} must be {what}, not {_describe(value)}")

    if expected == _STR_LIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail("a list of strings")
    elif expected == "boolean":
        if not isinstance(value, bool):
            fail("true or false")
    elif expected == "string":
        if not isinstance(value, str):
            fail("a string")
    elif expected == "severity":
        if value not in SEVERITIES:
            raise ConfigError(f"{where} must be one of {', '.join(SEVERITIES)}, not {_describe(value)}")
    elif expected == "confidence":
        if value not in CONFIDENCES:
            raise ConfigError(f"{where} must be one of {', '.join(CONFIDENCES)}, not {_describe(value)}")
    elif expected == "positive integer":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fail("a positive integer (days)")
    elif expected == "table of strings":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            fail('a table of strings, e.g. { msisdn = "phone" }')
    elif expected == "table of string lists":
        if not isinstance(value, dict) or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in value.values()
        ):
            fail('a table of string lists, e.g. { "tests/**" = ["GDPR1"] }')
    elif expected == "table of positive integers":
        if not isinstance(value, dict):
            fail("a table of positive integers, e.g. { logs = 365 }")
        for key, days in value.items():
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise ConfigError(f'{where}: "{key}" must be a positive integer (days), not {_describe(days)}')


def _subtable(where: str, key: str) -> str:
    """The TOML name of a table below `where` ("" is the top level of gdpr-lint.toml)."""
    return f"{where[:-1]}.{key}]" if where else f"[{key}]"


def _in(where: str) -> str:
    return f"in {where}" if where else "at the top level"


def validate(data: dict, where: str = "[tool.gdpr-lint]", schema: Optional[dict] = None) -> None:
    """`where`: the TOML name of the table, "" for the top level of gdpr-lint.toml."""
    schema = _SCHEMA if schema is None else schema
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'the file'} must be a table")
    for key, value in data.items():
        if key not in schema:
            raise ConfigError(f'unknown key "{key}" {_in(where)}{_did_you_mean(key, schema)}')
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{_subtable(where, key)} must be a table, not {_describe(value)}")
            validate(value, _subtable(where, key), expected)
        else:
            _check_type(value, expected, f'"{key}" {_in(where)}')
    # values that need the knowledge (jurisdictions, data categories) are checked by
    # gdpr_lint.settings.RunSettings, which has it


# ---- loading -----------------------------------------------------------------------------


def _read_toml(path: Path) -> dict:
    try:
        # utf-8-sig: a byte-order mark (some Windows editors write one) was "Invalid statement
        # (at line 1, column 1)", an error nobody can see in the file
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid UTF-8") from exc
    from gdpr_lint import config_cache

    cache = config_cache.ACTIVE
    if cache is not None:
        entry, data = cache.get(path, text)
        if data is not None:
            return data
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    if cache is not None:
        cache.keep(entry, text, data)
    return data


def is_pyproject_style(path: Path, data: dict) -> bool:
    """A pyproject.toml, or any file (`--config ci/lint.toml`) holding `[tool.*]` tables:
    the settings are in its [tool.gdpr-lint] table (`tool` is no key of gdpr-lint.toml)."""
    return path.name == "pyproject.toml" or isinstance(data.get("tool"), dict)


def _table_of(path: Path, data: dict) -> Optional[dict]:
    if is_pyproject_style(path, data):
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            return None
        table = tool.get("gdpr-lint")
        if table is None and "gdpr_lint" in tool:
            # ignored without a word, a config with an underscore silently ran the defaults
            raise ConfigError(f"{path}: [tool.gdpr_lint] is not read: the table is [tool.gdpr-lint] (with a hyphen)")
        return table
    return data


def _config_in(folder: Path) -> Optional[Path]:
    """The config file of this folder itself: a (.)gdpr-lint.toml, or a pyproject.toml with a
    [tool.gdpr-lint] table (one without it is passed over)."""
    for name in CONFIG_FILES:
        candidate = folder / name
        if candidate.is_file():
            if name != "pyproject.toml":
                return candidate
            try:
                data = _read_toml(candidate)
                if _table_of(candidate, data) is not None:
                    return candidate
            except ConfigError:
                return candidate  # report the broken file (or [tool.gdpr_lint]) rather than skip it
    return None


def find_config(start: Path) -> Optional[Path]:
    """The nearest config file upward from start."""
    return ConfigFinder().nearest(Path(os.path.realpath(start)))


class ConfigFinder:
    """The nearest config above each checked file, as ruff finds settings: the closest
    pyproject.toml with [tool.gdpr-lint] / gdpr-lint.toml / .gdpr-lint.toml wins.
    Remembered per folder, so a walk of thousands of files looks at each folder once."""

    def __init__(self) -> None:
        self._memo: Dict[Path, Optional[Path]] = {}

    def nearest(self, folder: Path) -> Optional[Path]:
        """`folder` is absolute (resolved)."""
        chain = []
        found: Optional[Path] = None
        current = folder
        while True:
            if current in self._memo:
                found = self._memo[current]
                break
            chain.append(current)
            found = _config_in(current)
            if found is not None:
                break
            if current.parent == current:
                break
            current = current.parent
        for visited in chain:  # none of them but perhaps the last holds a config: all share `found`
            self._memo[visited] = found
        return found

    def for_file(self, path: Path) -> Optional[Path]:
        return self.nearest(Path(os.path.realpath(path)).parent)


def load_config(explicit: Optional[str] = None, cwd: Optional[Path] = None) -> Config:
    cwd = cwd or Path.cwd()
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
    else:
        found = find_config(cwd)
        if found is None:
            return Config(root=str(cwd))
        path = found
    data = _read_toml(path)
    table = _table_of(path, data)
    pyproject_style = is_pyproject_style(path, data)
    if table is None:
        if explicit is not None and pyproject_style:
            return Config(root=str(path.parent.resolve()), source=str(path))
        table = {}
    # gdpr-lint.toml holds the settings at its top level: its tables are [pii], [retention], ...
    where = "[tool.gdpr-lint]" if pyproject_style else ""
    try:
        validate(table, where)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    config = from_table(table, path.parent.resolve(), str(path))
    return replace(config, source_style="pyproject" if pyproject_style else "standalone")


def table_name(config: "Config", table: str) -> str:
    """How the config file names one of its tables: [tool.gdpr-lint.pii] or [pii]."""
    standalone = config.source is not None and config.source_style == "standalone"
    return f"[{table}]" if standalone else f"[tool.gdpr-lint.{table}]"


def _config_pattern(pattern: str) -> str:
    """`./tests/**` means the tests folder of the project, as in ruff's config; in gitignore
    syntax it matches nothing (no path starts with "."), so such an exclude or
    per-file-ignores entry silently did nothing. It is the anchored `/tests/**`."""
    if pattern.startswith("./"):
        return "/" + pattern[2:].lstrip("/")
    return pattern


def from_table(table: dict, root: Path, source: Optional[str]) -> Config:
    pii = table.get("pii", {})
    residency = table.get("residency", {})
    retention = table.get("retention", {})
    packs = tuple(str((root / p).resolve()) for p in table.get("rule-packs", ()))
    return Config(
        select=tuple(table.get("select", ("GDPR",))),
        extend_select=tuple(table.get("extend-select", ())),
        ignore=tuple(table.get("ignore", ())),
        exclude=tuple(_config_pattern(p) for p in table.get("exclude", ())),
        extend_exclude=tuple(_config_pattern(p) for p in table.get("extend-exclude", ())),
        per_file_ignores=tuple((_config_pattern(k), tuple(v)) for k, v in table.get("per-file-ignores", {}).items()),
        rule_packs=packs,
        respect_gitignore=table.get("respect-gitignore", True),
        cache_dir=str((root / table["cache-dir"]).resolve()) if "cache-dir" in table else None,
        baseline=str((root / table["baseline"])) if "baseline" in table else None,
        require_justification=table.get("require-justification", False),
        non_suppressible=tuple(table.get("non-suppressible", ())),
        fail_on=table.get("fail-on", "info"),
        min_confidence=table.get("min-confidence", "medium"),
        pii=PiiConfig(
            extra_identifiers=dict(pii.get("extra-identifiers", {})),
            ignore_identifiers=tuple(pii.get("ignore-identifiers", ())),
            sanitizers=tuple(pii.get("sanitizers", ())),
        ),
        residency=ResidencyConfig(
            allowed_jurisdictions=tuple(residency.get("allowed-jurisdictions", ("EU", "EEA"))),
            allowed_regions=tuple(residency.get("allowed-regions", ())),
        ),
        retention=RetentionConfig(
            max_days=retention.get("max-days", 365),
            limits=dict(retention.get("limits", {})),
        ),
        root=str(root),
        source=source,
    )


def with_overrides(config: Config, **changes) -> Config:
    return replace(config, **{k: v for k, v in changes.items() if v is not None})
