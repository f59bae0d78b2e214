"""The baseline in a real git repository: accepted findings stay accepted through
ordinary edits (lines added above, code moved), while a second identical leak is new and
a fixed finding is stale."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from ciflow_support import GitRepo, git_env, scan_leaks
from gdpr_lint import baseline as bl

VIEWS = textwrap.dedent("""\
    import logging

    logger = logging.getLogger(__name__)


    def signup(request, user):
        logger.info("signup for %s", user.email)
        return redirect("home")


    def update_phone(request, user):
        logger.warning("phone changed to %s", user.phone)
        user.save()
""")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = GitRepo(tmp_path / "shop", git_env(tmp_path))
    repo.write("app/views.py", VIEWS)
    repo.commit("views")
    monkeypatch.chdir(repo.path)
    return repo


def run(repo):
    return scan_leaks(repo.path, "app/views.py")


def accept_current(repo) -> str:
    path = str(repo.path / bl.BASELINE_FILENAME)
    bl.save(bl.create(run(repo), root=str(repo.path), tool_version="0.1.0"), path)
    repo.commit("adopt gdpr-lint with a baseline")
    return path


def test_baseline_file_is_versioned_sorted_and_line_free(repo):
    path = accept_current(repo)
    data = json.loads(open(path, encoding="utf-8").read())
    assert data["tool"] == "gdpr-lint-baseline" and data["format_version"] == 1
    assert data["generated_by"] == "gdpr-lint 0.1.0"
    assert [e["source"] for e in data["findings"]] == [
        'logger.info("signup for %s",user.email)',
        'logger.warning("phone changed to %s",user.phone)',
    ]
    assert all("line" not in e for e in data["findings"])
    assert not [p for p in os.listdir(repo.path) if p.endswith(".tmp")]  # atomic write left nothing behind


def test_lines_inserted_above_keep_findings_matched(repo):
    baseline = bl.load(accept_current(repo))
    repo.write("app/views.py", '"""Views of the shop."""\nfrom django.shortcuts import redirect\n\n' + VIEWS)
    repo.commit("imports")
    new, stale = bl.filter_new(run(repo), baseline)
    assert new == [] and stale == []


def test_code_moved_and_reformatted_keeps_findings_matched(repo):
    baseline = bl.load(accept_current(repo))
    signup = VIEWS[VIEWS.index("def signup") : VIEWS.index("def update_phone")]
    moved = (
        VIEWS.replace(signup, "")
        + "\n\n"
        + signup.replace(
            'logger.info("signup for %s", user.email)',
            'logger.info("signup for %s",  user.email)  # gdpr-lint: ignore[GDPR101]',
        )
    )
    repo.write("app/views.py", moved)
    repo.commit("move signup to the end")
    findings = run(repo)
    signup_leak = next(f for f in findings if "user.email" in f.source)
    assert signup_leak.line != 7  # it moved below update_phone
    new, stale = bl.filter_new(findings, baseline)
    assert new == [] and stale == []


def test_duplicate_leak_is_new(repo):
    baseline = bl.load(accept_current(repo))
    repo.write(
        "app/views.py",
        VIEWS
        + textwrap.dedent("""

        def resend(request, user):
            logger.info("signup for %s", user.email)
    """),
    )
    repo.commit("resend")
    new, stale = bl.filter_new(run(repo), baseline)
    assert [(f.line, f.source) for f in new] == [(17, 'logger.info("signup for %s",user.email)')]
    assert stale == []


def test_fixed_finding_is_stale_and_update_drops_it(repo):
    path = accept_current(repo)
    baseline = bl.load(path)
    repo.write(
        "app/views.py",
        VIEWS.replace('"phone changed to %s", user.phone)', '"contact details changed for %s", user.pk)'),
    )
    repo.commit("stop logging phone numbers")
    findings = run(repo)
    new, stale = bl.filter_new(findings, baseline)
    assert new == [] and [e.source for e in stale] == ['logger.warning("phone changed to %s",user.phone)']

    updated, dropped, added = bl.update(baseline, findings, tool_version="0.2.0")
    assert dropped == stale and added == []
    bl.save(updated, path)
    reread = bl.load(path)
    assert [e.source for e in reread.entries] == ['logger.info("signup for %s",user.email)']
    assert reread.tool_version == "0.2.0"
    assert bl.filter_new(findings, reread) == ([], [])


def test_update_never_adds_new_findings_unless_asked(repo):
    baseline = bl.load(accept_current(repo))
    repo.write("app/views.py", VIEWS + '\n\ndef audit(user):\n    logger.info("audit %s", user.email)\n')
    findings = run(repo)
    updated, dropped, added = bl.update(baseline, findings)
    assert len(added) == 1 and len(updated.entries) == 2 and dropped == []
    accepted, _, _ = bl.update(baseline, findings, add_new=True)
    assert len(accepted.entries) == 3
    assert bl.filter_new(findings, accepted) == ([], [])


def test_partial_run_does_not_call_other_files_stale(repo):
    repo.write("app/tasks.py", 'def send(user):\n    logger.info("mail %s", user.email)\n')
    findings = run(repo) + scan_leaks(repo.path, "app/tasks.py")
    baseline = bl.create(findings, root=str(repo.path))
    new, stale = bl.filter_new(run(repo), baseline, checked_paths=["app/views.py"])
    assert new == [] and stale == []
    updated, dropped, _ = bl.update(baseline, run(repo), checked_paths=["app/views.py"])
    assert dropped == [] and {e.path for e in updated.entries} == {"app/views.py", "app/tasks.py"}


def test_paths_are_relative_to_the_baseline_file(repo, monkeypatch):
    path = accept_current(repo)
    monkeypatch.chdir(repo.path / "app")
    local = [f.__class__(**{**f.__dict__, "path": "views.py"}) for f in run(repo)]
    new, stale = bl.filter_new(local, bl.load(path))
    assert new == [] and stale == []


def test_fingerprint_matches_the_finding_fingerprint(repo):
    baseline = bl.create(run(repo), root=str(repo.path))
    assert [e.fingerprint for e in baseline.entries] == [f.fingerprint for f in run(repo)]
    assert bl.fingerprint("GDPR101", "a.py", "x", 0) != bl.fingerprint("GDPR101", "a.py", "x", 1)


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"version": "2.1.0", "runs": []}', "not a gdpr-lint baseline"),
        ("[1, 2]", "not a gdpr-lint baseline"),
        ('{"tool": "gdpr-lint-baseline", "format_version": 99, "findings": []}', "format version 99"),
        ('{"tool": "gdpr-lint-baseline", "format_version": 1, "findings": {}}', "must be a list"),
        (
            '{"tool": "gdpr-lint-baseline", "format_version": 1, "findings": [{"rule": "GDPR101"}]}',
            "entry 0 is invalid",
        ),
        (  # it said only "entry 0 is invalid: 'path'"
            '{"tool": "gdpr-lint-baseline", "format_version": 1, "findings": [{"rule": "GDPR101"}]}',
            "entry 0 is invalid: it has no 'path'",
        ),
        (
            '{"tool": "gdpr-lint-baseline", "format_version": 1, "findings": [{"rule": "GDPR101", "path": "a.py", '
            '"source": "x", "occurrence": "0", "fingerprint": "f"}]}',
            "'occurrence' must be int",
        ),
    ],
)
def test_corrupt_or_foreign_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(bl.BaselineError, match=message):
        bl.load(str(path))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(bl.BaselineError, match="does not exist"):
        bl.load(str(tmp_path / "nope.json"))


def test_normalised_source_ignores_layout_and_comments():
    one = bl.normalise_source('logger.info("x %s", user.email)  # gdpr-lint: ignore')
    wrapped = bl.normalise_source('logger.info(\n    "x %s",\n    user.email,\n)')
    assert one == wrapped == 'logger.info("x %s",user.email)'
    assert bl.normalise_source("return a if b else c") == "return a if b else c"


def test_normalised_source_is_the_same_whatever_the_line_ends():
    """A statement with CR (old Mac) line ends was tokenized as one line of garbage, so a
    baseline made on it never matched the same code with LF or CRLF ends, and vice versa."""
    code = 'log.info(\n    f"x {email}",  # why\n    email)\n'
    forms = {bl.normalise_source(code.replace("\n", end)) for end in ("\n", "\r\n", "\r")}
    assert forms == {'log.info(f"x {email}",email)'}


def test_findings_reported_at_the_end_of_the_module_keep_their_fingerprint():
    """Some findings are only decided when the whole module has been walked (a redis
    store that nothing expires, a SaaS client that nothing configures). Their fingerprint
    comes from their own statement, not from whatever statement the walk ended on, so
    code appended to the file does not make them new findings."""
    from conftest import analyse_text

    module = textwrap.dedent("""\
        import redis
        from segment import analytics

        r = redis.Redis(host="localhost")
        client = analytics.Client(write_key="wk_123")


        def remember(user):
            r.set(f"user:{user.id}:email", user.email)
    """)
    appended = module + "\n\ndef other():\n    return 1\n"
    before, _ = analyse_text(module)
    after, _ = analyse_text(appended)
    assert {f.rule for f in before} == {"GDPR202", "GDPR302"}
    assert [(f.rule, f.line, f.fingerprint) for f in before] == [(f.rule, f.line, f.fingerprint) for f in after]
    sources = {f.rule: f.source for f in before}
    assert sources["GDPR302"].startswith("r.set(") and sources["GDPR202"].startswith("client=analytics.Client(")
