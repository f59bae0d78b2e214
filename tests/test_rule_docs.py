"""Every rule is documented, and its examples do what the docs say."""

import pytest

from conftest import analyse_text, fixture_config, make_settings

SETTINGS = make_settings({"select": ["GDPR"]})
RULES = sorted(SETTINGS.kb.rules.values(), key=lambda r: r.code)
# GDPR004 compares a whole run with the committed data map, not one file: tests/test_inventory.py
CHECKED = [r for r in RULES if r.code != "GDPR004"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule):
    for section in ("summary", "what", "why", "example", "use_instead", "configuration", "gdpr"):
        assert getattr(rule, section).strip(), f"{rule.code} lacks {section}"
    assert rule.code.startswith("GDPR") and len(rule.code) == 7
    assert rule.name == rule.name.lower() and " " not in rule.name


@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.code)
def test_example_is_flagged_and_alternative_is_not(rule):
    table = dict(fixture_config(rule.example.strip()), select=[rule.code])
    flagged, _ = analyse_text(rule.example, table)
    assert any(f.rule == rule.code for f in flagged), f"{rule.code} example not flagged"
    clean, _ = analyse_text(rule.use_instead, dict(fixture_config(rule.use_instead.strip()), select=[rule.code]))
    assert not [f for f in clean if f.rule == rule.code], [f.message for f in clean]
