"""Time gdpr-lint against its peers on the pinned corpus, in one run, alternating.

    bash benchmarks/setup.sh              # peers into benchmarks/.venv-peers (once)
    python benchmarks/fetch_corpus.py     # corpus into benchmarks/corpus (once)
    python benchmarks/run.py              # table on stdout, JSON in benchmarks/results/

Every round runs each case once, in the same order (A B C ... A B C ...), so a
machine that slows down or speeds up during the run affects every tool alike; the
figure reported is the median over the rounds. Wall time and CPU time (user + system
of the process and the workers it waited for, from wait4's rusage) are both reported:
on a machine shared with other work, CPU time is the steadier of the two. Peak memory
is the largest resident set of the whole process tree (sampled from /proc, so parallel
workers add up) and, as a cross-check, the largest single process (from wait4's rusage).

`--other NAME=PATH` times another checkout of gdpr-lint (an earlier commit, say) in the
same rounds, for its cold and one-file cases: the comparison a change is judged by.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = HERE / "corpus"
DEFAULT_PEERS = HERE / ".venv-peers"
RESULTS = HERE / "results"
SEMGREP_RULES = HERE / "semgrep_rules.yml"
# A clean, ordinary module for the one-file pre-commit case (no personal data reaches a sink).
DEFAULT_ONE_FILE = "flask-3.1.3/flask/blueprints.py"
# A module much of its package imports, for the warm run after one edit (issue 15).
DEFAULT_EDIT_FILE = "requests-2.34.2/requests/utils.py"

# Targets from issue 6: (description, numerator case, denominator case, max ratio).
RATIO_TARGETS = (
    ("cold <= 0.5x semgrep", "gdpr-lint cold", "semgrep", 0.5),
    ("cold <= 0.15x bandit", "gdpr-lint cold", "bandit", 0.15),
    ("warm <= 1x ruff default", "gdpr-lint warm", "ruff default", 1.0),
    ("warm after one edit <= 2x warm", "gdpr-lint warm after edit", "gdpr-lint warm", 2.0),
    ("pre-commit file <= 0.5x bandit", "1 file: gdpr-lint", "1 file: bandit", 0.5),
    ("inventory cold <= 1x check cold", "gdpr-lint cold inventory", "gdpr-lint cold", 1.0),
)
MEMORY_TARGET_MIB = 300
# no version check, no metrics: the benchmark makes no network connection of its own
SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}


@dataclass
class Case:
    name: str
    argv: List[str]
    cwd: Path
    env: Optional[Dict[str, str]] = None
    before: Optional[object] = None  # callable run (untimed) before each timed run
    after: Optional[object] = None  # callable run (untimed) after each timed run
    times: List[float] = field(default_factory=list)
    cpu: List[float] = field(default_factory=list)  # user + system seconds, workers included
    tree_rss: List[int] = field(default_factory=list)
    max_rss: List[int] = field(default_factory=list)
    exit_codes: List[int] = field(default_factory=list)


def _children(pid: int) -> List[int]:
    """Direct children of pid, from /proc (needs Linux)."""
    kids = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            try:
                kids.extend(int(k) for k in (task / "children").read_text().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_rss_kib(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_kib(pid)
        stack.extend(_children(pid))
    return total


class CorpusEdit:
    """One corpus file edited for a timed run and put back afterwards (bytes and times)."""

    def __init__(self) -> None:
        self.path: Optional[Path] = None
        self._original = b""
        self._times = (0, 0)
        self._count = 0

    def set(self, path: Path) -> None:
        self.path = path
        self._original = path.read_bytes()
        info = path.stat()
        self._times = (info.st_atime_ns, info.st_mtime_ns)

    def edit(self) -> None:
        assert self.path is not None
        self._count += 1
        self.path.write_bytes(self._original + b"\n# benchmark edit %d\n" % self._count)

    def put_back(self) -> None:
        if self.path is not None and self.path.read_bytes() != self._original:
            self.path.write_bytes(self._original)
            os.utime(self.path, ns=self._times)

    def restore(self, warm_argv: List[str], cwd: Path, env: Optional[Dict[str, str]]) -> None:
        self.put_back()
        subprocess.run(
            warm_argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


EDITS = CorpusEdit()


class TreeMemorySampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_once(case: Case, timeout: float) -> None:
    if case.before is not None:
        case.before()
    env = dict(os.environ)
    if case.env:
        env.update(case.env)
    start = time.perf_counter()
    proc = subprocess.Popen(
        case.argv, cwd=case.cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = TreeMemorySampler(proc.pid)
    sampler.start()
    stderr_chunks: List[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    sampler.stop()
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if case.after is not None:
        case.after()
    case.times.append(elapsed)
    # wait4's usage counts the children the process waited for (the worker pool) too
    case.cpu.append(usage.ru_utime + usage.ru_stime)
    case.tree_rss.append(max(sampler.peak_kib, usage.ru_maxrss))
    case.max_rss.append(usage.ru_maxrss)
    case.exit_codes.append(proc.returncode)
    if proc.returncode not in (0, 1):
        tail = b"".join(stderr_chunks).decode("utf-8", "replace").strip().splitlines()[-5:]
        print(f"  ! {case.name}: exit {proc.returncode}: " + " | ".join(tail), file=sys.stderr)


def probe_version(argv: List[str], env: Optional[Dict[str, str]] = None) -> Optional[str]:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        proc = subprocess.run(
            argv + ["--version"], capture_output=True, text=True, env=full_env, timeout=60, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0] if out else "?"


def gdpr_lint_command(spec: Optional[str], checkout: Path = REPO) -> tuple:
    """(argv prefix, extra env): a checkout's gdpr-lint (this one) unless a command is given."""
    if spec:
        return shlex.split(spec), None
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(checkout), os.environ.get("PYTHONPATH")]))}
    return [sys.executable, "-m", "gdpr_lint"], env


def compile_checkout(checkout: Path) -> None:
    """Byte-compile a checkout's package, as `pip install` does: with PYTHONDONTWRITEBYTECODE
    set (CI images, some containers) every timed run would otherwise compile every module it
    imports, which an installed gdpr-lint never does."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(checkout / "gdpr_lint")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )


def machine_info() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gib": round(mem_kib / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def warm_page_cache(root: Path) -> None:
    """Read every file once so that the first timed tool does not pay for the disk."""
    for path in root.rglob("*.py"):
        try:
            path.read_bytes()
        except OSError:
            pass


def build_cases(args, gdpr_argv, gdpr_env, gdpr_ok: bool, others=()) -> List[Case]:
    """others: (name, argv, env) of other checkouts, timed in the cold and one-file cases."""
    corpus, peers = args.corpus, args.peers / "bin"
    cases: List[Case] = []
    wanted = set(args.only.split(",")) if args.only else None

    def add(case: Case) -> None:
        if wanted is None or any(w in case.name for w in wanted):
            cases.append(case)

    if gdpr_ok:
        add(Case("gdpr-lint cold", gdpr_argv + ["check", "--no-cache", "--format", "json", "."], corpus, gdpr_env))
    for name, argv, env in others:
        add(Case(f"gdpr-lint cold [{name}]", argv + ["check", "--no-cache", "--format", "json", "."], corpus, env))
    if gdpr_ok:
        add(Case("gdpr-lint warm", gdpr_argv + ["check", "--format", "json", "."], corpus, gdpr_env))
    # A warm run after one edit (issue 15): before it, a corpus file gets a new last line; after
    # it, the file is put back as it was and the cache warmed again (untimed), so that the plain
    # warm case stays warm. main() puts the file back if the benchmark stops half-way.
    warm_cases = ([("", gdpr_argv, gdpr_env)] if gdpr_ok else []) + [(f" [{n}]", a, e) for n, a, e in others]
    for suffix, argv, env in warm_cases:
        if suffix:
            add(Case(f"gdpr-lint warm{suffix}", argv + ["check", "--format", "json", "."], corpus, env))
        warm_argv = argv + ["check", "--format", "json", "."]
        add(
            Case(
                f"gdpr-lint warm after edit{suffix}",
                warm_argv,
                corpus,
                env,
                before=EDITS.edit,
                after=lambda warm_argv=warm_argv, env=env: EDITS.restore(warm_argv, corpus, env),
            )
        )
    if gdpr_ok:
        # the inventory comes from the same walk as check: it must cost no more (issue 18)
        add(
            Case(
                "gdpr-lint cold inventory",
                gdpr_argv + ["inventory", "--no-cache", "--format", "json", "."],
                corpus,
                gdpr_env,
            )
        )
    add(Case("ruff default", [str(peers / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "."], corpus))
    add(
        Case(
            "ruff ALL",
            [str(peers / "ruff"), "check", "--select", "ALL", "--no-cache", "--isolated", "--exit-zero", "."],
            corpus,
        )
    )
    add(Case("bandit", [str(peers / "bandit"), "-r", "-q", "-f", "json", "."], corpus))
    add(
        Case(
            "semgrep",
            [
                str(peers / "semgrep"),
                "scan",
                "--config",
                str(SEMGREP_RULES),
                "--metrics=off",
                "--disable-version-check",
                "--no-git-ignore",
                "--quiet",
                "--json",
                ".",
            ],
            corpus,
            SEMGREP_ENV,
        )
    )
    # The pre-commit case: the hook names a file that has just changed, so the result cache
    # cannot answer for it; before each run the file is rewritten with a new last line.
    source = (corpus / args.one_file).read_bytes()
    one_path = corpus / "precommit_case" / Path(args.one_file).name
    one = str(one_path.relative_to(corpus))
    edits = iter(range(1, 10**9))

    def edit_file() -> None:
        one_path.parent.mkdir(exist_ok=True)
        one_path.write_bytes(source + b"\n# benchmark edit %d\n" % next(edits))

    if gdpr_ok:
        add(
            Case("1 file: gdpr-lint", gdpr_argv + ["check", "--force-exclude", one], corpus, gdpr_env, before=edit_file)
        )
        add(
            Case(
                "1 file: gdpr-lint no-cache",
                gdpr_argv + ["check", "--force-exclude", "--no-cache", one],
                corpus,
                gdpr_env,
                before=edit_file,
            )
        )
    for name, argv, env in others:
        add(
            Case(f"1 file: gdpr-lint [{name}]", argv + ["check", "--force-exclude", one], corpus, env, before=edit_file)
        )
    add(Case("1 file: bandit", [str(peers / "bandit"), "-q", one], corpus, before=edit_file))
    add(
        Case(
            "1 file: ruff",
            [str(peers / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", one],
            corpus,
            before=edit_file,
        )
    )
    return cases


def summarise(cases: List[Case]) -> Dict[str, dict]:
    out = {}
    for case in cases:
        if not case.times:
            continue
        out[case.name] = {
            "argv": case.argv,
            "median_s": statistics.median(case.times),
            "min_s": min(case.times),
            "max_s": max(case.times),
            "times_s": case.times,
            "median_cpu_s": statistics.median(case.cpu),
            "min_cpu_s": min(case.cpu),
            "max_cpu_s": max(case.cpu),
            "cpu_s": case.cpu,
            "peak_tree_rss_mib": max(case.tree_rss) / 1024,
            "peak_process_rss_mib": max(case.max_rss) / 1024,
            "exit_codes": case.exit_codes,
        }
    return out


def ratios(summary: Dict[str, dict], key: str = "median_s") -> Dict[str, float]:
    """Each gdpr-lint case against each peer (and against the same case of another
    checkout), by the median wall time or, with key="median_cpu_s", CPU time."""
    out = {}
    mine_cases = [
        name
        for name in summary
        if name
        in (
            "gdpr-lint cold",
            "gdpr-lint warm",
            "gdpr-lint warm after edit",
            "1 file: gdpr-lint",
            "1 file: gdpr-lint no-cache",
        )
    ]
    for mine in mine_cases:
        one_file = mine.startswith("1 file")
        for peer, data in summary.items():
            other_checkout = peer.startswith(mine + " [")
            if ("gdpr-lint" in peer and not other_checkout) or peer.startswith("1 file") != one_file:
                continue
            out[f"{mine} / {peer}"] = summary[mine][key] / data[key]
    return out


def verdicts(summary: Dict[str, dict]) -> List[dict]:
    out = []
    for label, mine, peer, limit in RATIO_TARGETS:
        if mine in summary and peer in summary:
            value = summary[mine]["median_s"] / summary[peer]["median_s"]
            out.append({"target": label, "value": round(value, 3), "limit": limit, "met": value <= limit})
            # on a loaded machine wall time says more about the neighbours than about the work
            cpu = summary[mine]["median_cpu_s"] / summary[peer]["median_cpu_s"]
            out.append({"target": f"{label} (CPU)", "value": round(cpu, 3), "limit": limit, "met": cpu <= limit})
    for mine in ("gdpr-lint cold", "gdpr-lint warm"):
        if mine in summary:
            mib = summary[mine]["peak_tree_rss_mib"]
            out.append(
                {
                    "target": f"{mine} peak memory <= {MEMORY_TARGET_MIB} MiB",
                    "value": round(mib, 1),
                    "limit": MEMORY_TARGET_MIB,
                    "met": mib <= MEMORY_TARGET_MIB,
                }
            )
    return out


def print_table(
    summary: Dict[str, dict], ratio_map: Dict[str, float], checks: List[dict], cpu_ratios: Optional[dict] = None
) -> None:
    print()
    print(
        f"{'case':<34} {'median s':>9} {'min s':>8} {'max s':>8} {'CPU s':>8} {'min CPU':>8} "
        f"{'tree MiB':>9} {'proc MiB':>9}  exit"
    )
    print("-" * 106)
    for name, data in summary.items():
        codes = ",".join(sorted({str(c) for c in data["exit_codes"]}))
        print(
            f"{name:<34} {data['median_s']:>9.3f} {data['min_s']:>8.3f} {data['max_s']:>8.3f} "
            f"{data['median_cpu_s']:>8.3f} {data['min_cpu_s']:>8.3f} "
            f"{data['peak_tree_rss_mib']:>9.1f} {data['peak_process_rss_mib']:>9.1f}  {codes}"
        )
    if ratio_map:
        print()
        print(f"{'ratio (median)':<56} {'wall':>8} {'CPU':>8}")
        for label, value in ratio_map.items():
            cpu = (cpu_ratios or {}).get(label)
            print(f"{label:<56} {value:>7.3f}x " + (f"{cpu:>7.3f}x" if cpu is not None else ""))
    if checks:
        print()
        for check in checks:
            mark = "met" if check["met"] else "NOT met"
            print(f"{check['target']:<40} {check['value']:>9} ({mark})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds over every case (median reported)")
    parser.add_argument("--one-file-runs", type=int, default=10, help="rounds for the one-file cases")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="venv holding ruff, bandit, semgrep")
    parser.add_argument("--gdpr-lint", dest="gdpr_lint", help="command to run gdpr-lint (default: this checkout)")
    parser.add_argument("--one-file", default=DEFAULT_ONE_FILE, help="corpus-relative file for the pre-commit case")
    parser.add_argument(
        "--edit-file", default=DEFAULT_EDIT_FILE, help="corpus-relative file for the warm run after one edit"
    )
    parser.add_argument("--only", help="comma-separated substrings of case names to run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed")
    parser.add_argument("--output", type=Path, help="JSON file (default: benchmarks/results/<time>.json)")
    parser.add_argument(
        "--other",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="another checkout of gdpr-lint to time in the same rounds (cold, warm, warm after edit, one file)",
    )
    args = parser.parse_args(argv)

    if not (args.corpus / "MANIFEST.json").exists():
        print(f"error: no corpus in {args.corpus}; run: python benchmarks/fetch_corpus.py", file=sys.stderr)
        return 2
    if not (args.corpus / args.one_file).is_file():
        print(f"error: --one-file {args.one_file} is not a file in the corpus", file=sys.stderr)
        return 2
    if not (args.corpus / args.edit_file).is_file():
        print(f"error: --edit-file {args.edit_file} is not a file in the corpus", file=sys.stderr)
        return 2
    EDITS.set(args.corpus / args.edit_file)
    try:
        return _main(args)
    finally:
        EDITS.put_back()  # never leave the corpus edited


def _main(args) -> int:

    gdpr_argv, gdpr_env = gdpr_lint_command(args.gdpr_lint)
    others = []
    for spec in args.other:
        name, _, path = spec.partition("=")
        checkout = Path(path).resolve()
        if not name or not (checkout / "gdpr_lint" / "__init__.py").is_file():
            print(f"error: --other {spec}: expected NAME=PATH of a gdpr-lint checkout", file=sys.stderr)
            return 2
        compile_checkout(checkout)
        others.append((name, *gdpr_lint_command(None, checkout)))
    if not args.gdpr_lint:
        compile_checkout(REPO)
    gdpr_version = probe_version(gdpr_argv, gdpr_env)
    if gdpr_version is None:
        print(
            f"note: `{' '.join(gdpr_argv)} --version` failed: gdpr-lint is skipped, only the peers are timed",
            file=sys.stderr,
        )
    versions = {"gdpr-lint": gdpr_version}
    for tool in ("ruff", "bandit", "semgrep"):
        binary = args.peers / "bin" / tool
        versions[tool] = probe_version([str(binary)], SEMGREP_ENV) if binary.exists() else None

    precommit_dir = args.corpus / "precommit_case"  # made by the one-file cases; never part of the corpus
    shutil.rmtree(precommit_dir, ignore_errors=True)
    cases = build_cases(args, gdpr_argv, gdpr_env, gdpr_version is not None, others)
    # only the peers the chosen cases run must be installed (`--only inventory,cold` needs none)
    for case in cases:
        tool = Path(case.argv[0])
        if tool.parent == args.peers / "bin" and not tool.exists():
            print(f"error: {tool.name} not in {args.peers}; run: bash benchmarks/setup.sh", file=sys.stderr)
            return 2
    warm = [c for c in cases if c.name.startswith("gdpr-lint warm") and c.before is None]
    print(f"corpus: {args.corpus}", file=sys.stderr)
    if hasattr(os, "getloadavg"):
        print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), file=sys.stderr)
    warm_page_cache(args.corpus)
    for case in warm + [c for c in cases if c.name.startswith("gdpr-lint warm after edit") and not warm]:
        print(f"priming the cache of {case.name} (untimed)", file=sys.stderr)
        subprocess.run(
            case.argv,
            cwd=case.cwd,
            env={**os.environ, **(case.env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    corpus_cases = [c for c in cases if not c.name.startswith("1 file")]
    file_cases = [c for c in cases if c.name.startswith("1 file")]
    for case in file_cases:  # untimed: each checkout's start-up caches (rule packs, pre-filter) are filled
        if case.name.startswith("1 file: gdpr-lint") and "no-cache" not in case.name:
            run_once(case, args.timeout)
            case.times, case.cpu, case.tree_rss, case.max_rss, case.exit_codes = [], [], [], [], []
    for group, rounds in ((corpus_cases, args.runs), (file_cases, args.one_file_runs)):
        for round_no in range(1, rounds + 1):
            for case in group:
                run_once(case, args.timeout)
                print(
                    f"  round {round_no}/{rounds} {case.name:<34} {case.times[-1]:8.3f} s  CPU {case.cpu[-1]:8.3f} s",
                    file=sys.stderr,
                )

    shutil.rmtree(precommit_dir, ignore_errors=True)
    summary = summarise(cases)
    ratio_map = ratios(summary)
    cpu_ratio_map = ratios(summary, "median_cpu_s")
    checks = verdicts(summary)
    print_table(summary, ratio_map, checks, cpu_ratio_map)

    manifest = json.loads((args.corpus / "MANIFEST.json").read_text())
    result = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "versions": versions,
        "corpus": {
            "files": manifest["files"],
            "lines": manifest["lines"],
            "packages": [f"{p['name']}=={p['version']}" for p in manifest["packages"]],
        },
        "one_file": args.one_file,
        "runs": args.runs,
        "one_file_runs": args.one_file_runs,
        "cases": summary,
        "ratios": ratio_map,
        "cpu_ratios": cpu_ratio_map,
        "others": {name: env["PYTHONPATH"].split(os.pathsep)[0] for name, _argv, env in others},
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "targets": checks,
    }
    out = args.output or RESULTS / f"{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    if out.parent == RESULTS:
        shutil.copyfile(out, RESULTS / "latest.json")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
