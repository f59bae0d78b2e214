"""Run gdpr-lint over the real-code packages and score it against the judged verdicts.

    python benchmarks/realcode/fetch.py     # once: the pinned packages (needs pip's index)
    python benchmarks/realcode/run.py       # scan, then precision per family, unjudged, stale

Each package is scanned as a project of its own with gdpr-lint's defaults
(`check --no-cache --format json --config <package>/.gdpr-lint.toml`, the package folder
as working directory), so this repository's configuration never applies. The verdicts
live in benchmarks/realcode/verdicts.jsonl; see README.md there for the policy.
Exit code 0 unless `--strict` and something is unjudged, stale, or below `--min-precision`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
import score  # noqa: E402

DEFAULT_PACKAGES = HERE / "packages"
DEFAULT_VERDICTS = HERE / "verdicts.jsonl"


def scan_package(folder: Path, command: list) -> dict:
    """gdpr-lint's JSON report for one package folder."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(
        command
        + [
            "check",
            "--no-cache",
            "--format",
            "json",
            "--exit-zero",
            "-q",
            "--config",
            str(folder / ".gdpr-lint.toml"),
            ".",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise SystemExit(f"error: gdpr-lint failed on {folder.name} ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def flagged_source(folder: Path, path: str, line: int, end_line: int) -> str:
    """The flagged lines' source (line..end_line): the line-free part of a finding's key."""
    try:
        lines = (folder / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[max(line, 1) - 1 : max(end_line, line)])


def collect(packages: Path, command: list, only=None, errors=None) -> list:
    """Scan every package; return its keyed findings. Tool errors are appended to `errors`."""
    manifest = json.loads((packages / "MANIFEST.json").read_text())
    findings = []
    for pkg in manifest["packages"]:
        name = pkg["name"]
        if only and name not in only:
            continue
        folder = packages / name
        started = time.perf_counter()
        report = scan_package(folder, command)
        took = time.perf_counter() - started
        for error in report.get("errors", []):
            if errors is not None:
                errors.append(f"{name}/{error.get('path')}: {error.get('message')}")
        for finding in report["findings"]:
            finding["package"] = name
            finding["code"] = flagged_source(
                folder, finding["path"], finding["line"], finding.get("end_line") or finding["line"]
            )
            findings.append(finding)
        print(f"scanned {name:<22} {len(report['findings']):>4} findings {took:6.1f} s", file=sys.stderr, flush=True)
    return score.keyed(findings)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=DEFAULT_PACKAGES)
    parser.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS)
    parser.add_argument(
        "--gdpr-lint",
        default=None,
        help="how to run gdpr-lint (default: this interpreter, -m gdpr_lint, from this checkout)",
    )
    parser.add_argument("--only", help="comma-separated package names")
    parser.add_argument("--save", type=Path, help="write the keyed findings (JSON) here")
    parser.add_argument("--load", type=Path, help="score these saved findings instead of scanning")
    parser.add_argument(
        "--skeletons", type=Path, help="write a verdicts-file line (verdict and why empty) per unjudged finding here"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if a finding is unjudged, a verdict is stale, or a family's precision is below --min-precision",
    )
    parser.add_argument("--min-precision", type=float, default=0.0)
    args = parser.parse_args(argv)

    errors: list = []
    if args.load:
        findings = json.loads(args.load.read_text())
    else:
        command = shlex.split(args.gdpr_lint) if args.gdpr_lint else [sys.executable, "-m", "gdpr_lint"]
        only = set(args.only.split(",")) if args.only else None
        findings = collect(args.packages, command, only, errors)
    if args.save:
        args.save.write_text(json.dumps(findings, indent=1) + "\n")
    notices = [f for f in findings if score.family(f["rule"]) not in score.FAMILIES]
    findings = [f for f in findings if score.family(f["rule"]) in score.FAMILIES]
    verdicts = score.load_verdicts(args.verdicts) if args.verdicts.exists() else []
    if args.only:
        wanted = set(args.only.split(","))
        verdicts = [v for v in verdicts if v["package"] in wanted]
    pairs, unjudged, stale = score.match(findings, verdicts)
    table = score.precision_table(pairs, unjudged)

    print(f"{len(findings)} findings, {len(pairs)} judged, {len(unjudged)} unjudged, {len(stale)} stale verdicts\n")
    print(score.format_table(table))
    if notices:
        print(f"\nNot scored ({len(notices)} tool notices, e.g. files that do not parse):")
        for finding in notices:
            print(f"  {finding['package']}/{finding['path']}:{finding['line']} {finding['rule']} {finding['message']}")
    if errors:
        print(
            f"\nFiles gdpr-lint could not check ({len(errors)}; a file over the per-file time budget on "
            f"a busy machine yields no findings, so its verdicts may show as stale):"
        )
        for error in errors:
            print(f"  {error}")
    if unjudged:
        print(f"\nUnjudged findings ({len(unjudged)}):")
        for finding in unjudged:
            print(
                f"  {finding['package']}/{finding['path']}:{finding['line']} {finding['rule']} "
                f"{finding['message']}\n      {finding['code']}"
            )
    if stale:
        print(f"\nVerdicts whose finding went away ({len(stale)}):")
        for verdict in stale:
            print(
                f"  {args.verdicts.name}:{verdict['_line']} {verdict['package']}/{verdict['path']} "
                f"{verdict['rule']} [{verdict['verdict']}] {verdict['code']}"
            )
    if args.skeletons:
        args.skeletons.write_text("".join(score.skeleton(f) + "\n" for f in unjudged))
    if args.strict:
        low = [
            fam for fam, row in table.items() if row["precision"] is not None and row["precision"] < args.min_precision
        ]
        if unjudged or stale or low:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
