"""The CI options end to end: `python -m gdpr_lint` in a real git repository, as a
pipeline runs it, and the commands of the CI examples in docs/ci.md."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap

import pytest

from ciflow_support import ROOT, GitRepo, git_env

needs_cli = pytest.mark.skipif(
    importlib.util.find_spec("gdpr_lint.cli") is None, reason="the CLI has not landed in this checkout"
)

VIEWS = textwrap.dedent("""\
    import logging

    logger = logging.getLogger(__name__)


    def signup(request, user):
        logger.info("signup for %s", user.email)
        return user.pk
""")


@pytest.fixture
def repo(tmp_path):
    env = git_env(tmp_path)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("GITHUB_ACTIONS", None)
    env["NO_COLOR"] = "1"
    repo = GitRepo(tmp_path / "shop", env)
    repo.write("app/__init__.py", "")
    repo.write("app/views.py", VIEWS)
    repo.commit("views")
    return repo


def lint(repo, *args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "gdpr_lint", *args],
        cwd=cwd or repo.path,
        env=repo.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


@needs_cli
def test_formats_and_output_file(repo):
    done = lint(repo, "check", "--format", "sarif", "--output-file", "out/gdpr.sarif")
    assert done.returncode == 1, done.stderr
    log = json.loads((repo.path / "out/gdpr.sarif").read_text())
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "GDPR101" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    for fmt in ("text", "json", "github", "gitlab", "junit", "markdown"):
        done = lint(repo, "check", "--format", fmt)
        assert done.returncode == 1 and "GDPR101" in done.stdout, (fmt, done.stderr)
    assert lint(repo, "check", "--format", "nope").returncode == 2


@needs_cli
def test_statistics_exit_zero_fail_on(repo):
    done = lint(repo, "check", "--statistics")
    assert done.returncode == 1 and re.search(r"^1\s+GDPR101\s+pii-in-log", done.stdout, re.M), done.stdout
    assert lint(repo, "check", "--exit-zero").returncode == 0
    severity = json.loads(lint(repo, "check", "--format", "json").stdout)["findings"][0]["severity"]
    above = {"info": "warning", "warning": "error", "error": None}[severity]
    if above:
        assert lint(repo, "check", "--fail-on", above).returncode == 0


@needs_cli
def test_baseline_workflow(repo):
    done = lint(repo, "baseline", "create")
    assert done.returncode == 0, done.stderr
    assert json.loads((repo.path / ".gdpr-lint-baseline.json").read_text())["tool"] == "gdpr-lint-baseline"
    assert lint(repo, "check", "--baseline", ".gdpr-lint-baseline.json").returncode == 0
    # lines above: still accepted; a second identical leak: new
    repo.write(
        "app/views.py",
        '"""Views."""\n' + VIEWS + '\n\ndef resend(user):\n    logger.info("signup for %s", user.email)\n',
    )
    done = lint(repo, "check", "--baseline", ".gdpr-lint-baseline.json", "--format", "json")
    assert done.returncode == 1
    assert [f["line"] for f in json.loads(done.stdout)["findings"]] == [13]
    # fixed: stale, and update drops it
    repo.write("app/views.py", VIEWS.replace("user.email)", "user.pk)"))
    done = lint(repo, "check", "--baseline", ".gdpr-lint-baseline.json")
    assert done.returncode == 0 and "baseline update" in done.stdout + done.stderr
    assert lint(repo, "baseline", "update").returncode == 0
    assert json.loads((repo.path / ".gdpr-lint-baseline.json").read_text())["findings"] == []


@needs_cli
def test_baseline_from_config_and_corrupt_baseline(repo):
    repo.write("pyproject.toml", '[tool.gdpr-lint]\nbaseline = "gdpr-baseline.json"\n')
    assert lint(repo, "baseline", "create").returncode == 0
    assert (repo.path / "gdpr-baseline.json").exists()
    assert lint(repo, "check").returncode == 0
    (repo.path / "gdpr-baseline.json").write_text("{broken")
    done = lint(repo, "check")
    assert done.returncode == 2 and "gdpr-baseline.json" in done.stderr


@needs_cli
def test_diff_mode(repo):
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(
        "app/tasks.py",
        'import logging\nlog = logging.getLogger("t")\n\n\ndef send(user):\n    log.warning("bounce %s", user.email)\n',
    )
    repo.commit("task")
    done = lint(repo, "check", "--diff", "main", "--format", "json")
    assert done.returncode == 1, done.stderr
    assert [(f["path"], f["line"]) for f in json.loads(done.stdout)["findings"]] == [("app/tasks.py", 6)]
    done = lint(repo, "check", "--diff", "no-such-branch")
    assert done.returncode == 2 and "no-such-branch" in done.stderr


@needs_cli
def test_diff_outside_a_repository(tmp_path, repo):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text(VIEWS)
    done = lint(repo, "check", "--diff", "main", cwd=plain)
    assert done.returncode == 2 and "git repository" in done.stderr


@needs_cli
def test_suppression_hygiene_from_config(repo):
    repo.write(
        "app/views.py",
        VIEWS.replace("user.email)", "user.email)  # gdpr-lint: ignore[GDPR101]")
        + 'logger.info("boot")  # gdpr-lint: ignore[GDPR101] -- stale\n',
    )
    done = lint(repo, "check", "--format", "json")
    codes = [f["rule"] for f in json.loads(done.stdout)["findings"]]
    assert codes == ["GDPR003"], done.stdout
    repo.write("pyproject.toml", '[tool.gdpr-lint]\nrequire-justification = true\nnon-suppressible = ["GDPR1"]\n')
    done = lint(repo, "check", "--format", "json")
    codes = sorted(f["rule"] for f in json.loads(done.stdout)["findings"])
    assert codes == ["GDPR002", "GDPR003", "GDPR101"], done.stdout


# ------------------------------------------------------------------ docs/ci.md


def ci_commands():
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```(?:yaml|console)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip().lstrip("-").strip()
            line = re.sub(r"^(run:|\$)\s*", "", line)
            if line.startswith("gdpr-lint "):
                commands.append(line)
    return commands


def test_docs_examples_are_valid_yaml():
    yaml = pytest.importorskip("yaml")
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert len(blocks) == 2
    github, gitlab = (yaml.safe_load(b) for b in blocks)
    steps = github["jobs"]["gdpr-lint"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert gitlab["gdpr-lint"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


@needs_cli
@pytest.mark.parametrize("merge_request", [True, False], ids=["merge-request", "default-branch"])
def test_docs_commands_run(repo, merge_request):
    """Each command of the examples, through a real shell as the CI runner runs it."""
    commands = ci_commands()
    assert len(commands) >= 8
    repo.git("branch", "origin/main", "main")  # what actions/checkout with fetch-depth 0 provides
    repo.git("checkout", "-q", "-b", "feature")
    env = dict(repo.env, GITHUB_STEP_SUMMARY=str(repo.path.parent / "summary.md"))
    if merge_request:
        env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = repo.git("rev-parse", "main").strip()
    else:
        env.pop("CI_MERGE_REQUEST_DIFF_BASE_SHA", None)
    for command in commands:
        script = command.replace("${{ github.base_ref }}", "main")
        script = f"{shlex.quote(sys.executable)} -m gdpr_lint " + script[len("gdpr-lint ") :]
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=repo.path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, 1), (command, done.stderr)
        args = shlex.split(command, comments=True)
        for index, arg in enumerate(args):
            if arg == "--output-file":
                assert (repo.path / args[index + 1]).stat().st_size > 0, command


@needs_cli
def test_diff_with_an_empty_ref_is_a_usage_error(repo):
    """`--diff ""` (an unset CI variable) silently checked every line."""
    done = lint(repo, "check", "--diff", "")
    assert done.returncode == 2 and done.stderr.strip().endswith("not an empty string"), done.stderr
