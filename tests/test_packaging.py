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


def _release_check_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("release_check", ROOT / "scripts" / "release_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_release_check_judges_the_tag_only_when_named_or_present(tmp_path, capsys):
    """A clone without tags (CI's) passes; a named tag must exist and carry the version."""
    import shutil

    import pytest

    if shutil.which("git") is None:
        pytest.skip("git is needed")
    check = _release_check_module().check_changelog_and_tag
    env = ["-c", "user.name=t", "-c", "user.email=t@example.com"]

    def git(*args):
        subprocess.run(["git", *env, *args], cwd=str(tmp_path), check=True, capture_output=True)

    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 1.2.0 - 2026-12-06\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "1.1.0"\n')
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "old")
    git("tag", "v1.1.0")
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "1.2.0"\n')
    git("commit", "-q", "-am", "release")

    assert check("1.2.0", None, tmp_path) == []
    assert "no tag v1.2.0 in this clone" in capsys.readouterr().out
    assert check("1.2.0", "v1.2.0", tmp_path) == [
        "no tag v1.2.0 (tag the release commit: git tag -a v1.2.0 <commit> -m 'gdpr-lint 1.2.0')"
    ]
    assert check("1.3.0", None, tmp_path) == ["CHANGELOG.md has no section for 1.3.0"]
    git("tag", "v1.2.0", "HEAD~1")  # the tag on the wrong commit
    assert check("1.2.0", None, tmp_path) == ["tag v1.2.0 points at a commit whose pyproject.toml is not version 1.2.0"]
    git("tag", "-f", "v1.2.0", "HEAD")
    assert check("1.2.0", "v1.2.0", tmp_path) == []
