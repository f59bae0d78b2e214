"""Run gdpr-lint over a pinned real-world corpus and check that it never breaks.

    python scripts/corpus_check.py                 # download (once), unpack, check
    python scripts/corpus_check.py --show GDPR101  # also print that rule's findings, for review

The packages are listed in scripts/corpus_packages.txt. The run passes when:
- gdpr-lint exits 0 or 1 (2 means a usage or internal error) and prints valid JSON;
- its errors[] is empty (every file of an unpacked wheel is readable, so any entry is a defect);
- every GDPR001 (file could not be parsed) is on a file that CPython's own compile() rejects too.
It prints files, lines, findings per rule and the time, and exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import fetch_corpus  # noqa: E402  (shared download/unpack helpers)

DEFAULT_LIST = HERE / "corpus_packages.txt"
DEFAULT_DEST = HERE / ".corpus"


def read_pins(path: Path) -> list:
    pins = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not version.strip():
            raise SystemExit(f"error: {path}: pin every package exactly (name==version): {raw!r}")
        pins.append((name.strip(), version.strip()))
    return pins


def gdpr_lint_command(spec):
    """(argv prefix, extra env): this checkout's gdpr-lint unless a command is given."""
    if spec:
        return shlex.split(spec), {}
    pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return [sys.executable, "-m", "gdpr_lint"], {"PYTHONPATH": pythonpath}


def cpython_rejects(path: Path):
    """The reason CPython refuses to compile the file, or None if it compiles."""
    try:
        source = path.read_bytes()
        compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=DEFAULT_LIST, help="pinned list (name==version per line)")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="where the corpus is unpacked")
    parser.add_argument("--force", action="store_true", help="download and unpack again")
    parser.add_argument("--gdpr-lint", dest="gdpr_lint", help="command to run gdpr-lint (default: this checkout)")
    parser.add_argument("--jobs", help="passed to gdpr-lint as --jobs")
    parser.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="RULE",
        help="print the findings of this rule (code or prefix), for review",
    )
    parser.add_argument("--output", type=Path, help="write the run's figures as JSON")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before gdpr-lint is stopped")
    args = parser.parse_args(argv)

    pins = read_pins(args.packages)
    manifest = fetch_corpus.fetch(args.dest, pins=pins, force=args.force)
    substituted = [p for p in manifest["packages"] if p["version"] != p["pinned"]]
    print(f"corpus: {len(pins)} packages, {manifest['files']:,} files, {manifest['lines']:,} lines in {args.dest}")
    for pkg in substituted:
        print(f"  note: {pkg['name']}=={pkg['pinned']} unavailable, checked {pkg['version']}")

    argv_prefix, extra_env = gdpr_lint_command(args.gdpr_lint)
    cmd = argv_prefix + ["check", "--no-cache", "--format", "json", "."]
    if args.jobs:
        cmd[len(argv_prefix) + 1 : len(argv_prefix) + 1] = ["--jobs", args.jobs]
    print("running: " + " ".join(shlex.quote(c) for c in cmd))
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=args.dest,
            env={**os.environ, **extra_env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"FAIL: gdpr-lint did not finish within {args.timeout:.0f} s")
        return 1
    elapsed = time.perf_counter() - start

    failures = []
    if proc.returncode not in (0, 1):
        failures.append(f"gdpr-lint exited {proc.returncode}")
        print("stderr (last lines):\n  " + "\n  ".join(proc.stderr.strip().splitlines()[-15:]))
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        print(f"FAIL: exit {proc.returncode}, output is not JSON ({exc}); first bytes: {proc.stdout[:200]!r}")
        print("stderr (last lines):\n  " + "\n  ".join(proc.stderr.strip().splitlines()[-15:]))
        return 1

    findings = report.get("findings", [])
    errors = report.get("errors", [])
    for error in errors:
        failures.append(f"error entry: {error.get('path')}: {error.get('message')}")

    parse_failures = [f for f in findings if f["rule"] == "GDPR001"]
    for finding in parse_failures:
        reason = cpython_rejects(args.dest / finding["path"])
        if reason is None:
            failures.append(
                f"GDPR001 on {finding['path']}:{finding['line']} but CPython compiles it: {finding['message']}"
            )
        else:
            print(f"  GDPR001 {finding['path']}: CPython agrees ({reason})")

    per_rule = collections.Counter(f["rule"] for f in findings)
    per_package = collections.defaultdict(collections.Counter)
    for finding in findings:
        per_package[finding["path"].split("/", 1)[0]][finding["rule"]] += 1

    summary = report.get("summary", {})
    print(
        f"\ngdpr-lint {report.get('version', '?')}: exit {proc.returncode} in {elapsed:.1f} s; "
        f"{summary.get('files', '?')} files checked of {manifest['files']} unpacked "
        f"({manifest['lines']:,} lines), {len(findings)} findings, {len(errors)} errors"
    )
    print("findings per rule:")
    for rule, count in sorted(per_rule.items()):
        print(f"  {rule:<8} {count:>6}")
    print("findings per package:")
    for package, counts in sorted(per_package.items()):
        print(f"  {package:<36} " + ", ".join(f"{r} {n}" for r, n in sorted(counts.items())))
    for wanted in args.show:
        print(f"\nfindings of {wanted}:")
        for finding in findings:
            if finding["rule"].startswith(wanted) or finding["name"] == wanted:
                print(
                    f"  {finding['path']}:{finding['line']}:{finding['column']}: {finding['rule']} {finding['message']}"
                )

    if args.output:
        args.output.write_text(
            json.dumps(
                {
                    "packages": [f"{p['name']}=={p['version']}" for p in manifest["packages"]],
                    "files": manifest["files"],
                    "lines": manifest["lines"],
                    "seconds": round(elapsed, 2),
                    "exit_code": proc.returncode,
                    "files_checked": summary.get("files"),
                    "findings_per_rule": dict(sorted(per_rule.items())),
                    "errors": errors,
                    "failures": failures,
                },
                indent=2,
            )
            + "\n"
        )

    if failures:
        print(f"\nFAIL ({len(failures)}):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print("\nOK: no internal errors; every GDPR001 is a file CPython rejects too")
    return 0


if __name__ == "__main__":
    sys.exit(main())
