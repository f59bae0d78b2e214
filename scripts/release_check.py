"""Build the sdist and the wheel and check what a release ships (docs/release.md).

    python scripts/release_check.py [--outdir dist] [--tag v0.1.0]

Checks: both build; the version is pyproject's, CHANGELOG.md has a section for it, and the
tag (when given, or when it exists) points at a commit whose pyproject has that version;
the metadata names the licence, the Python range and a capped libcst; the wheel holds every
module, every rule pack (gdpr_lint/_rules/*.toml) and the LICENSE; the sdist holds the
LICENSE, the README, the rule packs and the pre-commit hook definition. Exit 1 with one line
per problem, 0 when all is well.
"""

from __future__ import annotations

import argparse
import email
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent


def project_version() -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if match is None:
        raise SystemExit("pyproject.toml has no version")
    return match.group(1)


def build(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)],
        capture_output=True,
        text=True,
        cwd=str(outdir),  # not the checkout: its ignored build/ folder would shadow the build package
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"release check: the build failed (exit {done.returncode})")


def check_wheel(wheel: Path, version: str) -> List[str]:
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"gdpr_lint-{version}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    for module in (ROOT / "gdpr_lint").rglob("*.py"):
        name = module.relative_to(ROOT).as_posix()
        if name not in names:
            problems.append(f"wheel: {name} is missing")
    for pack in (ROOT / "rules").glob("*.toml"):
        if f"gdpr_lint/_rules/{pack.name}" not in names:
            problems.append(f"wheel: rule pack {pack.name} is missing")
    if not any(n.startswith(f"{info}/") and n.endswith("LICENSE") for n in names):
        problems.append("wheel: no LICENSE in the .dist-info")
    problems.extend(_check_metadata(metadata, version, "wheel"))
    return problems


def check_sdist(sdist: Path, version: str) -> List[str]:
    problems = []
    prefix = f"gdpr_lint-{version}/"
    with tarfile.open(sdist) as archive:
        names = {n[len(prefix) :] for n in archive.getnames() if n.startswith(prefix)}
        member = archive.extractfile(prefix + "PKG-INFO")
        metadata = email.message_from_bytes(member.read() if member else b"")
    for required in ("LICENSE", "README.md", "pyproject.toml", ".pre-commit-hooks.yaml"):
        if required not in names:
            problems.append(f"sdist: {required} is missing")
    for pack in (ROOT / "rules").glob("*.toml"):
        if f"rules/{pack.name}" not in names:
            problems.append(f"sdist: rules/{pack.name} is missing")
    problems.extend(_check_metadata(metadata, version, "sdist"))
    return problems


def _check_metadata(metadata, version: str, where: str) -> List[str]:
    problems = []
    if metadata.get("Version") != version:
        problems.append(f"{where}: metadata version {metadata.get('Version')!r}, pyproject says {version!r}")
    licence = " ".join(filter(None, [metadata.get("License"), metadata.get("License-Expression")]))
    if "MIT" not in licence:
        problems.append(f"{where}: the metadata names no MIT licence")
    if not metadata.get("Requires-Python"):
        problems.append(f"{where}: no Requires-Python")
    requires = metadata.get_all("Requires-Dist") or []
    if not any(r.replace(" ", "").startswith("libcst") and "<2" in r.replace(" ", "") for r in requires):
        problems.append(f"{where}: libcst is not capped below 2 ({requires})")
    if not metadata.get("Description") and not metadata.get_payload():
        problems.append(f"{where}: no long description (README)")
    return problems


def check_changelog_and_tag(version: str, tag: Optional[str], root: Path = ROOT) -> List[str]:
    """The CHANGELOG section of ``version``; the tag when one is named (``--tag``, at release
    time) or, when none is named, ``v<version>`` if this clone has it (clones made without
    tags, as CI's are, are not failed for lacking it)."""
    problems = []
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## .*\b{re.escape(version)}\b", changelog, re.M):
        problems.append(f"CHANGELOG.md has no section for {version}")
    name = tag or f"v{version}"
    shown = subprocess.run(["git", "show", f"{name}:pyproject.toml"], cwd=str(root), capture_output=True, text=True)
    if shown.returncode != 0:
        if tag is not None:
            problems.append(
                f"no tag {tag} (tag the release commit: git tag -a {tag} <commit> -m 'gdpr-lint {version}')"
            )
        else:
            print(f"release check: no tag {name} in this clone: the tag is not checked (--tag {name} requires it)")
    elif not re.search(rf'^version\s*=\s*"{re.escape(version)}"', shown.stdout, re.M):
        problems.append(f"tag {name} points at a commit whose pyproject.toml is not version {version}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", help="where to build (default: a temporary folder)")
    parser.add_argument("--tag", help="the release tag (default: v<version>)")
    args = parser.parse_args(argv)
    version = project_version()
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(args.outdir or tmp)
        build(outdir)
        problems = check_changelog_and_tag(version, args.tag)
        wheels = sorted(outdir.glob(f"gdpr_lint-{version}-*.whl"))
        sdists = sorted(outdir.glob(f"gdpr_lint-{version}.tar.gz"))
        if not wheels or not sdists:
            problems.append(f"build made {[p.name for p in outdir.iterdir()]}, not a wheel and an sdist of {version}")
        else:
            problems += check_wheel(wheels[-1], version) + check_sdist(sdists[-1], version)
    for problem in problems:
        print(f"release check: {problem}")
    if not problems:
        print(f"release check: gdpr-lint {version}: sdist and wheel OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
