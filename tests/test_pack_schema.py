"""Rule packs load through a schema: every shipped pack validates, and a pack with a typo'd
key, a wrong type, a wrong unit or an empty table is one clear line at load time (exit 2),
never an internal error in the middle of a scan."""

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gdpr_lint.knowledge import KnowledgeError, builtin_rules_dir, load
from gdpr_lint.pack_schema import validate_pack
from gdpr_lint.pack_spec import PackError

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(builtin_rules_dir().glob("*.toml"))


def _tables(path: Path) -> dict:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.pop("rule", None)
    return data


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_pack_validates(path):
    validate_pack(_tables(path))


def test_the_shipped_packs_load_merged():
    assert load().rules


def _dict_paths(value, path=()):
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _dict_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _dict_paths(item, path + (index,))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_no_table_of_a_shipped_pack_takes_a_stray_key(path):
    """A key no table has (with a value no spec accepts: a float) is rejected wherever it is
    put, and the message names where: no table is silently open."""
    data = _tables(path)
    places = list(_dict_paths(data))
    for place in places[:: max(1, len(places) // 60)]:
        mutated = copy.deepcopy(data)
        target = mutated
        for step in place:
            target = target[step]
        target["categry"] = 1.5
        with pytest.raises(PackError) as info:
            validate_pack(mutated)
        assert "categry" in str(info.value) or "1.5" in str(info.value), (place, str(info.value))


MUTATIONS = {
    "typo'd key": (
        """
        [[retention.calls]]
        api = "acme.cache.put"
        targets = ["acme.cache.put"]
        categry = "cache"
        """,
        'retention.calls[0] (api = "acme.cache.put").categry: unknown key (did you mean "category"?)',
    ),
    "wrong unit": (
        """
        [[retention.calls]]
        api = "acme.cache.put"
        targets = ["acme.cache.put"]
        durations = [{ position = 1, unit = "second" }]
        """,
        '.durations[0].unit: "second" is not one of',
    ),
    "wrong type": (
        """
        [pii]
        person-nouns = "customer"
        """,
        'pii.person-nouns: must be a list of strings, not "customer"',
    ),
    "empty table": (
        """
        [pii.categories.loyalty_number]
        """,
        "pii.categories.loyalty_number: empty table",
    ),
    "unknown table": (
        """
        [retension]
        setting-words = ["ttl"]
        """,
        'retension: unknown key (did you mean "retention"?)',
    ),
    "bad severity": (
        """
        [pii.categories.loyalty_number]
        label = "loyalty number"
        severity = "critical"
        phrases = ["loyalty number"]
        """,
        'pii.categories.loyalty_number.severity: "critical" is not one of',
    ),
    "rule key": (
        """
        [[rule]]
        code = "GDPR199"
        name = "acme-rule"
        family = "exposure"
        severity = "warning"
        gdpr = "Art. 5"
        summary = "Acme"
        severty = "error"
        """,
        'rule GDPR199: unknown key "severty" (did you mean "severity"?)',
    ),
    "dangling reference": (
        """
        [[retention.calls]]
        api = "acme.rotate"
        targets = ["acme.rotate"]
        durations = [{ keyword = "every", per = { keyword = "when", units = "acme-when" } }]
        """,
        '.per.units: "acme-when" names no [retention.period-units] table',
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_pack_is_one_clear_line(tmp_path, name):
    text, expected = MUTATIONS[name]
    (tmp_path / "acme.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load([tmp_path])
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert "acme.toml" in message or "rule packs" in message


def test_a_broken_user_pack_is_exit_2_before_any_file_is_checked(tmp_path):
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "acme.toml").write_text(textwrap.dedent(MUTATIONS["wrong unit"][0]), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.gdpr-lint]\nrule-packs = ["packs"]\n', encoding="utf-8")
    (tmp_path / "app.py").write_text("from acme import cache\ncache.put('k', 1, 30)\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "gdpr_lint", "check", "--no-cache", "."],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "acme.toml" in lines[0] and '"second" is not one of' in lines[0], result.stderr
    assert "internal error" not in result.stderr and 'did you mean "seconds"' in lines[0]
