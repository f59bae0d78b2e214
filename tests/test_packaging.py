"""The rule packs ship inside the wheel, so a non-editable install works from any folder."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_every_rule_pack(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("gdpr_lint-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (ROOT / "rules").glob("*.toml"):
        assert f"gdpr_lint/_rules/{pack.name}" in names, pack.name
    assert "gdpr_lint/cli.py" in names and "gdpr_lint/checks/exposure.py" in names
    # every package of the source tree (an explicit list in pyproject.toml) is in the wheel
    for init in (ROOT / "gdpr_lint").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names, init
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "gdpr-lint = gdpr_lint.entry:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_release_check_passes():
    """scripts/release_check.py: sdist and wheel build, their metadata and contents, the tag."""
    import pytest

    pytest.importorskip("build")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "release_check.py")], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("sdist and wheel OK")
