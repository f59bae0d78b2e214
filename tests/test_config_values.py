"""Config values are checked, not only keys: jurisdictions, the underscore table name, and
`--config` naming a pyproject-style file of any name."""

import textwrap
from pathlib import Path

import pytest

from gdpr_lint.config import ConfigError, load_config, table_name
from gdpr_lint.settings import RunSettings


def settings_for(tmp_path: Path, name: str, text: str) -> RunSettings:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return RunSettings(
        load_config(str(path) if name not in ("pyproject.toml", "gdpr-lint.toml") else None, cwd=tmp_path)
    )


@pytest.mark.parametrize(
    "value, hint",
    [
        ("UK", 'did you mean "GB"?'),
        ("eu", 'did you mean "EU"?'),
        ("Adequacy", 'did you mean "adequacy"?'),
        ("de", 'did you mean "DE"?'),
        ("XX", ""),
    ],
)
def test_allowed_jurisdictions_are_iso_codes_or_groups(tmp_path, value, hint):
    with pytest.raises(ConfigError) as info:
        settings_for(
            tmp_path,
            "pyproject.toml",
            f"""
            [tool.gdpr-lint.residency]
            allowed-jurisdictions = ["EU", "{value}"]
            """,
        )
    message = str(info.value)
    assert f'[tool.gdpr-lint.residency] allowed-jurisdictions: "{value}" is neither an ISO 3166 country code' in message
    assert hint in message and "pyproject.toml" in message
    if not hint:
        assert "did you mean" not in message


def test_valid_jurisdictions_pass(tmp_path):
    settings = settings_for(
        tmp_path,
        "gdpr-lint.toml",
        """
        [residency]
        allowed-jurisdictions = ["EU", "EEA", "adequacy", "GB", "CH", "US"]
        """,
    )
    assert settings.config.residency.allowed_jurisdictions[-1] == "US"


def test_the_underscore_table_is_named_not_ignored(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.gdpr_lint]\nselect = ["GDPR2"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[tool.gdpr_lint\] is not read: the table is \[tool.gdpr-lint\]"):
        load_config(cwd=tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError, match="gdpr_lint"):  # found from below too, not passed over
        load_config(cwd=tmp_path / "sub")


def test_config_names_a_pyproject_style_file_of_any_name(tmp_path):
    path = tmp_path / "lint-settings.toml"
    path.write_text(
        '[tool.black]\nline-length = 100\n\n[tool.gdpr-lint]\nselect = ["GDPR2"]\n'
        "[tool.gdpr-lint.retention]\nmax-days = 30\n",
        encoding="utf-8",
    )
    config = load_config(str(path), cwd=tmp_path)
    assert config.select == ("GDPR2",) and config.retention.max_days == 30
    assert table_name(config, "retention") == "[tool.gdpr-lint.retention]"
    path.write_text('[tool.gdpr-lint]\nselekt = ["GDPR2"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'unknown key "selekt" in \[tool.gdpr-lint\] \(did you mean "select"\?\)'):
        load_config(str(path), cwd=tmp_path)
    standalone = tmp_path / "other.toml"
    standalone.write_text("[retention]\nmax-days = 30\n", encoding="utf-8")
    config = load_config(str(standalone), cwd=tmp_path)
    assert config.retention.max_days == 30 and table_name(config, "retention") == "[retention]"


@pytest.mark.parametrize(
    "selector, hint",
    [
        ("GPDR1", 'did you mean "GDPR1"?'),
        ("GDPR1O1", 'did you mean "GDPR101"?'),
        ("pii-in-logs", 'did you mean "pii-in-log"?'),
    ],
)
def test_selector_hints_by_edit_distance(tmp_path, selector, hint):
    with pytest.raises(ConfigError) as info:
        settings_for(tmp_path, "gdpr-lint.toml", f'select = ["{selector}"]\n')
    assert f'"{selector}" matches no rule code, prefix or name ({hint})' in str(info.value)
