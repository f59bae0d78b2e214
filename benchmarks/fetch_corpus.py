"""Download the pinned benchmark corpus with pip and unpack only its .py files.

The corpus is ten widely used packages' wheels (about 3,800 files, 720k lines).
Wheels are zip files, so unpacking needs no build step and runs no package code.

    python benchmarks/fetch_corpus.py            # -> benchmarks/corpus/<package>/...
    python benchmarks/fetch_corpus.py --force    # download and unpack again

If an exact pin is missing from the package index in use, the nearest available
release is taken and recorded in benchmarks/corpus/MANIFEST.json and on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus"

PINS = (
    ("django", "5.2.19"),
    ("wagtail", "8.0.1"),
    ("django-allauth", "65.22.1"),
    ("celery", "5.7.0"),
    ("flask", "3.1.3"),
    ("requests", "2.34.2"),
    ("redis", "8.1.0"),
    ("sentry-sdk", "2.75.0"),
    ("boto3", "1.44.8"),
    ("botocore", "1.44.8"),
)


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[.+-]", version))


def available_versions(name: str) -> list:
    """The versions pip can see, via `pip index versions` (empty if unsupported)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name, "--only-binary=:all:"],
        capture_output=True,
        text=True,
    )
    match = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if not match:
        return []
    return [v.strip() for v in match.group(1).split(",") if v.strip()]


def nearest_version(wanted: str, versions: list) -> str:
    """The available version closest to the wanted one, preferring older on a tie."""
    target = _version_key(wanted)

    def distance(version: str) -> tuple:
        key = _version_key(version)
        width = max(len(key), len(target))
        key = key + (0,) * (width - len(key))
        want = target + (0,) * (width - len(target))
        return tuple(abs(a - b) for a, b in zip(key, want)), key > want

    return min(versions, key=distance)


def pip_download(spec: str, dest: Path, python_version: Optional[str] = None) -> bool:
    """``pip download`` one wheel (no dependencies, no sdist: no package code runs) into dest;
    ``python_version`` picks wheels for that Python rather than this one."""
    target = ["--python-version", python_version] if python_version else []
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            *target,
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(dest),
            spec,
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        sys.stderr.write(("\n".join(errors[-3:]) if errors else proc.stderr)[-2000:] + "\n")
    return proc.returncode == 0


def download_package(name: str, version: str, dest: Path) -> str:
    """Download one wheel; return the version actually downloaded."""
    if pip_download(f"{name}=={version}", dest):
        return version
    versions = available_versions(name)
    if not versions:
        raise SystemExit(f"error: {name}=={version} is not available and pip lists no other version")
    chosen = nearest_version(version, versions)
    print(f"note: {name}=={version} is not available; using nearest {chosen}", file=sys.stderr)
    if not pip_download(f"{name}=={chosen}", dest):
        raise SystemExit(f"error: could not download {name}=={chosen}")
    return chosen


def wheel_for(name: str, dest: Path) -> Path:
    normal = re.sub(r"[-_.]+", "_", name).lower()
    for wheel in sorted(dest.glob("*.whl")):
        if wheel.name.lower().startswith(normal + "-"):
            return wheel
    raise SystemExit(f"error: no wheel for {name} in {dest}")


def unpack_py(wheel: Path, target: Path) -> tuple:
    """Extract the .py files of a wheel under target; return (files, lines)."""
    files = lines = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or not name.endswith(".py"):
                continue
            parts = Path(name).parts
            if name.startswith("/") or ".." in parts:
                continue  # never write outside the target
            out = target.joinpath(*parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            data = archive.read(info)
            out.write_bytes(data)
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


def count_corpus(corpus: Path) -> tuple:
    files = lines = 0
    for path in corpus.rglob("*.py"):
        data = path.read_bytes()
        files += 1
        lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


def fetch(corpus: Path, pins=PINS, force: bool = False) -> dict:
    manifest_path = corpus / "MANIFEST.json"
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text())
        if [(p["name"], p["pinned"]) for p in manifest["packages"]] == [tuple(pin) for pin in pins]:
            isolate(corpus)
            return manifest
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    packages = []
    with tempfile.TemporaryDirectory(prefix="gdpr-lint-corpus-") as tmp:
        dest = Path(tmp)
        for name, version in pins:
            got = download_package(name, version, dest)
            wheel = wheel_for(name, dest)
            files, lines = unpack_py(wheel, corpus / f"{name}-{got}")
            packages.append(
                {"name": name, "pinned": version, "version": got, "wheel": wheel.name, "files": files, "lines": lines}
            )
    manifest = {
        "packages": packages,
        "files": sum(p["files"] for p in packages),
        "lines": sum(p["lines"] for p in packages),
    }
    isolate(corpus)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def isolate(corpus: Path) -> None:
    """Make the corpus a project of its own, so every tool scans every file with defaults.

    Inside this repository the corpus folder is gitignored and sits under our own
    pyproject.toml; an empty git repository and neutral config files at its root stop
    the tools from climbing up to either. Semgrep's default .semgrepignore would also
    skip test folders, which the other tools scan.
    """
    if not (corpus / ".git").exists():
        subprocess.run(["git", "init", "-q", str(corpus)], check=True)
    (corpus / ".semgrepignore").write_text("# benchmark: scan every file, like the other tools\n")
    (corpus / ".gdpr-lint.toml").write_text('# benchmark: gdpr-lint\'s defaults\nselect = ["GDPR"]\n')
    (corpus / "ruff.toml").write_text("# benchmark: ruff's defaults\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="where to unpack")
    parser.add_argument("--force", action="store_true", help="download and unpack again")
    args = parser.parse_args(argv)
    manifest = fetch(args.corpus, force=args.force)
    for pkg in manifest["packages"]:
        note = "" if pkg["version"] == pkg["pinned"] else f"  (pinned {pkg['pinned']}: not available)"
        print(f"{pkg['name']:<16} {pkg['version']:<10} {pkg['files']:>6} files {pkg['lines']:>9,} lines{note}")
    print(f"{'total':<27} {manifest['files']:>6} files {manifest['lines']:>9,} lines -> {args.corpus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
