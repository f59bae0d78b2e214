"""Settings are found from the files checked, the nearest config winning (as ruff does):
a project gets the same results whatever folder the linter runs from."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

VIEW = (
    "import logging\n"
    "log = logging.getLogger(__name__)\n"
    "def remember(request):\n"
    "    log.info('visit from %s', request.META['REMOTE_ADDR'])\n"
)
QUIET_IP = '[tool.gdpr-lint.pii]\nignore-identifiers = ["REMOTE_ADDR"]\n'


def run(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "gdpr_lint"] + args,
        cwd=str(cwd),
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1"),
        timeout=120,
    )


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "shop" / "app").mkdir(parents=True)
    (tmp_path / "shop" / "app" / "views.py").write_text(VIEW)
    (tmp_path / "shop" / "pyproject.toml").write_text(QUIET_IP)
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "views.py").write_text(VIEW)
    return tmp_path


def test_a_project_gets_its_settings_from_any_folder(workspace):
    inside = run(["check", "--no-cache", "."], workspace / "shop")
    outside = run(["check", "--no-cache", "shop"], workspace)
    elsewhere = run(["check", "--no-cache", str(workspace / "shop" / "app" / "views.py")], workspace / "blog")
    assert inside.returncode == outside.returncode == elsewhere.returncode == 0, outside.stdout + elsewhere.stdout
    both = run(["check", "--no-cache", "shop", "blog"], workspace)
    assert both.returncode == 1
    assert [line.split(":")[0] for line in both.stdout.splitlines() if "GDPR101" in line] == ["blog/views.py"]


def test_the_nearest_config_wins(workspace):
    (workspace / "pyproject.toml").write_text('[tool.gdpr-lint]\nselect = ["GDPR1"]\n')
    (workspace / "shop" / "app" / "gdpr-lint.toml").write_text("[pii]\nignore-identifiers = []\n")
    result = run(["check", "--no-cache", "."], workspace)
    flagged = sorted(line.split(":")[0] for line in result.stdout.splitlines() if "GDPR101" in line)
    assert flagged == ["blog/views.py", "shop/app/views.py"]  # app's own config, not shop's


def test_an_explicit_config_is_used_for_every_file(workspace):
    (workspace / "ci.toml").write_text("[pii]\nignore-identifiers = []\n")
    result = run(["check", "--no-cache", "--config", "ci.toml", "shop"], workspace)
    assert result.returncode == 1 and "shop/app/views.py:4:5: GDPR101" in result.stdout


def test_show_settings_names_the_file_each_group_uses(workspace):
    result = run(["check", "--show-settings", "shop", "blog"], workspace)
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    assert blocks[0].startswith("# 1 file: shop/app/views.py\nconfig file: ")
    assert str(workspace / "shop" / "pyproject.toml") in blocks[0]
    assert 'pii.ignore-identifiers = ["REMOTE_ADDR"]' in blocks[0]
    assert "# 1 file: blog/views.py\nconfig file: (none found: the defaults)" in blocks[1]


def test_the_cache_is_kept_per_settings(workspace):
    cache = workspace / "cache"
    first = run(["check", "--cache-dir", str(cache), "shop", "blog"], workspace)
    assert first.returncode == 1
    (workspace / "shop" / "pyproject.toml").write_text("[tool.gdpr-lint.pii]\nignore-identifiers = []\n")
    second = run(["check", "--cache-dir", str(cache), "shop", "blog"], workspace)
    flagged = sorted(line.split(":")[0] for line in second.stdout.splitlines() if "GDPR101" in line)
    assert flagged == ["blog/views.py", "shop/app/views.py"]
