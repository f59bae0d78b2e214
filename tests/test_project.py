"""The project model (issue 15): loggers, helpers and their findings across modules.

Each folder under tests/fixtures/projects/ is a small project, checked as the CLI checks a
folder (the project index rooted at the folder); its files carry their expectations inline
(`# expect: GDPR101`), as the single-file fixtures do."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_findings, make_settings

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


def _run(folder: Path, table=None, use_prefilter=True, cache_dir=None, only=None):
    from gdpr_lint import runner

    settings = make_settings(table or {}, root=folder)
    files = sorted(folder.rglob("*.py"))
    pairs = [
        (str(f), f.relative_to(folder).as_posix())
        for f in files
        if only is None or f.relative_to(folder).as_posix() in only
    ]
    result = runner.run(pairs, settings, jobs=1, cache_dir=cache_dir, use_prefilter=use_prefilter)
    assert not result.errors, result.errors
    return result.findings


@pytest.mark.parametrize("folder", PROJECTS, ids=lambda p: p.name)
def test_project_fixture(folder):
    findings = _run(folder)
    for path in sorted(folder.rglob("*.py")):
        display = path.relative_to(folder).as_posix()
        expected = expected_findings(path.read_text(encoding="utf-8"))
        actual = Counter((f.line, f.rule) for f in findings if f.path == display)
        messages = {(f.line, f.rule): f.message for f in findings if f.path == display}
        assert actual == expected, (
            display,
            sorted(expected - actual),
            [(k, messages.get(k)) for k in sorted(actual - expected)],
        )


@pytest.mark.parametrize("folder", PROJECTS, ids=lambda p: p.name)
def test_project_prefilter_changes_nothing(folder):
    with_filter = [f.to_dict() for f in _run(folder, use_prefilter=True)]
    without = [f.to_dict() for f in _run(folder, use_prefilter=False)]
    assert with_filter == without


def test_finding_across_modules_says_where_the_data_went():
    findings = _run(FIXTURES / "projects" / "mail_helpers")
    relay = [f for f in findings if f.path == "src/notifier/views.py" and f.line == 19]
    assert [f.message for f in relay] == [
        "email address (user.email) is passed to relay() (src/notifier/mail.py:13), which passes it to "
        "notify() (src/notifier/mail.py:14), which writes it to a log (src/notifier/mail.py:10)"
    ]
    assert [dict(place) for place in relay[0].related] == [
        {"path": "src/notifier/mail.py", "line": 13, "message": "relay() receives it as `target`"},
        {"path": "src/notifier/mail.py", "line": 14, "message": "passed to notify()"},
        {"path": "src/notifier/mail.py", "line": 10, "message": "logger.info() writes it to a log"},
    ]
    assert relay[0].to_dict()["related"][2]["line"] == 10


def test_related_places_in_json_and_sarif():
    from gdpr_lint.model import RunResult
    from gdpr_lint.report import json_format, sarif

    folder = FIXTURES / "projects" / "mail_helpers"
    findings = [f for f in _run(folder) if f.related]
    result = RunResult(findings=findings, errors=[], files=4)
    document = json.loads(json_format.render(result, {}, tool_version="0", root="."))
    assert all(entry["related"] for entry in document["findings"])
    rules = make_settings({}).kb.rules
    log = sarif.build(result, rules, tool_version="0", root=".")
    first = log["runs"][0]["results"][0]
    assert [place["message"]["text"] for place in first["relatedLocations"]] == [
        place["message"] for place in findings[0].related
    ]
    steps = first["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) == len(findings[0].related) + 1
    assert steps[0]["location"]["physicalLocation"]["region"]["startLine"] == findings[0].line


def test_a_suppression_on_the_call_line_still_works(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "mail_helpers", folder)
    views = folder / "src" / "notifier" / "views.py"
    text = views.read_text(encoding="utf-8").replace(
        'notify(user.email, "welcome")  # expect: GDPR101',
        'notify(user.email, "welcome")  # gdpr-lint: ignore[GDPR101] -- the welcome mail is logged by design',
    )
    views.write_text(text, encoding="utf-8")
    lines = [f.line for f in _run(folder) if f.path == "src/notifier/views.py"]
    assert 17 not in lines and 18 in lines


def test_cached_result_is_redone_when_a_module_it_used_changes(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "mail_helpers", folder)
    cache = tmp_path / "cache"
    views = ["src/notifier/views.py"]
    first = _run(folder, cache_dir=cache, only=views)
    assert any(f.line == 17 for f in first)
    mail = folder / "src" / "notifier" / "mail.py"
    mail.write_text(
        mail.read_text(encoding="utf-8").replace(
            'log.info("sending %s to %s", subject, addr)', 'log.info("sending %s", subject)'
        ),
        encoding="utf-8",
    )
    second = _run(folder, cache_dir=cache, only=views)
    assert not any(f.line == 17 for f in second)
    assert any(f.line == 25 for f in second)  # show(): a helper of the file itself, still found


def test_cached_result_is_redone_when_a_new_file_changes_a_project_wide_answer(tmp_path):
    """embed()'s default URL is not reported while every call passes one (semantic/callers.py).
    A file added later that leaves it out, or an unchanged file that starts calling it without
    a URL, changes that answer: the defining file's cached result must not be served."""
    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "default_callers", folder)
    cache = tmp_path / "cache"
    embeddings = "rag/embeddings.py"

    def embed_lines():
        return [f.line for f in _run(folder, cache_dir=cache) if f.path == embeddings and f.line == 9]

    assert embed_lines() == []
    assert embed_lines() == []  # served from the cache
    added = folder / "rag" / "batch.py"
    added.write_text(
        "from rag.embeddings import embed\n\n\ndef run(texts):\n    return embed(texts)\n", encoding="utf-8"
    )
    assert embed_lines() == [9]
    added.unlink()
    assert embed_lines() == []
    config = folder / "rag" / "config.py"  # a file that never spelled `embed`
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\n\ndef warm_up():\n    from rag.embeddings import embed\n\n    embed([])\n",
        encoding="utf-8",
    )
    assert embed_lines() == [9]


def test_only_named_files_are_checked_their_imports_summarised(tmp_path):
    """pre-commit names one file: the modules it imports are read for their summaries, and
    nothing is reported in them."""
    folder = FIXTURES / "projects" / "shop_logging"
    findings = _run(folder, only=["shop/checkout/orders.py"], cache_dir=tmp_path / "cache")
    assert {f.path for f in findings} == {"shop/checkout/orders.py"}
    assert sorted(f.line for f in findings) == [13, 15, 16, 17, 18]
    assert list((tmp_path / "cache").glob("summaries-*/*.json"))


def test_summary_is_data():
    import ast

    from gdpr_lint.semantic.summary import summarize

    text = (FIXTURES / "projects" / "shop_logging" / "shop" / "_logging.py").read_text(encoding="utf-8")
    summary = summarize(ast.parse(text))
    assert json.loads(json.dumps(summary)) == summary
    assert summary["values"]["verbose_logger"] == ["call", ["attr", ["name", "@_root"], "getChild"], "verbose"]
    assert summary["functions"]["get_logger"]["returns"] == [["call", ["attr", ["name", "@_root"], "getChild"], None]]


def test_import_cycles_end(tmp_path):
    package = tmp_path / "cyc"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from cyc.b import log\n", encoding="utf-8")
    (package / "b.py").write_text("from cyc.a import log\n", encoding="utf-8")
    (package / "c.py").write_text(
        "from cyc.a import log\n\ndef f(user):\n    log.info('%s', user.email)\n", encoding="utf-8"
    )
    findings = _run(tmp_path)
    # `log` is a conventional logger name, so the call is still judged; the cycle just ends
    assert [(f.path, f.line) for f in findings] == [("cyc/c.py", 4)]


def test_a_region_setting_is_reported_once_where_its_value_is_given(tmp_path):
    """`AWS_REGION = "us-east-1"` in settings.py, used by a client in storage.py: one finding,
    in settings.py; suppressing it there leaves none at its uses either."""
    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "region_settings", folder)
    before = [(f.path, f.line) for f in _run(folder) if "us-east-1" in f.message]
    assert before == [("infra/settings.py", 4)]
    settings = folder / "infra" / "settings.py"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            'AWS_REGION = "us-east-1"  # expect: GDPR201',
            'AWS_REGION = "us-east-1"  # gdpr-lint: ignore[GDPR201] -- the US deployment only',
        ),
        encoding="utf-8",
    )
    assert not [f for f in _run(folder) if "us-east-1" in f.message]


def test_spawned_workers_get_the_project_index(monkeypatch, tmp_path):
    """Workers started without fork (spawn: the default on macOS and Windows) make their own
    project index over the same roots and summary cache: the findings across modules are
    those of a run in one process."""
    from gdpr_lint import runner, workers

    folder = FIXTURES / "projects" / "mail_helpers"
    alone = [f.to_dict() for f in _run(folder)]
    assert any(f["related"] for f in alone)
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    settings = make_settings({}, root=folder)
    pairs = [(str(f), f.relative_to(folder).as_posix()) for f in sorted(folder.rglob("*.py"))]
    result = runner.run(pairs, settings, jobs=2, cache_dir=tmp_path / "cache")
    assert not result.errors, result.errors
    assert [f.to_dict() for f in result.findings] == alone


def test_override_finding_names_the_subclass_method():
    findings = _run(FIXTURES / "projects" / "notifier_overrides")
    welcome = sorted(f.message for f in findings if f.path == "alerts/jobs.py" and f.line == 8)
    assert welcome == [
        "email address (user.email) is passed to DebugSmsNotifier.send() (alerts/sms.py:6), which prints it "
        "to the console (alerts/sms.py:7)",
        "email address (user.email) is passed to EmailNotifier.send() (alerts/email.py:10), which writes it "
        "to a log (alerts/email.py:11)",
    ]


def test_django_setting_finding_names_the_settings_file():
    findings = _run(FIXTURES / "projects" / "django_settings")
    cookie = [f for f in findings if f.path == "accounts/views.py" and f.line == 10]
    assert [f.message for f in cookie] == [
        "cookie lifetime of 400 days (SESSION_COOKIE_AGE, portal/settings/base.py:7) exceeds the 365-day "
        "limit ([tool.gdpr-lint.retention] max-days)"
    ]


def test_helper_finding_names_every_sink_its_argument_reaches():
    """`self.sync_members(project, cf_members, ...)` prints the members twice and logs them in a
    wrapper (dry run and failure): one finding per rule at the call, every sink among its places;
    a print of a count made from the same members is none of them."""
    findings = _run(FIXTURES / "projects" / "group_sync")
    command = "hpcgroups/management/commands/group_sync.py"
    at_call = {f.rule: f for f in findings if f.path == command and f.line == 43}
    assert sorted(at_call) == ["GDPR101", "GDPR102"]
    printed = [(p["path"], p["line"]) for p in at_call["GDPR102"].related]
    assert printed == [(command, 28), (command, 31), (command, 34)]
    logged = [(p["path"], p["line"]) for p in at_call["GDPR101"].related]
    assert ("hpcgroups/ldap_groups.py", 15) in logged and ("hpcgroups/ldap_groups.py", 21) in logged
    assert at_call["GDPR101"].related[-1]["message"].endswith("writes it to a log too")


def test_reraised_answer_is_redone_when_the_answering_handler_starts_logging(tmp_path):
    """A raise re-raised by every caller as FieldError is low while forms.py's handler only puts
    the message on the form; when that handler starts logging, the cached answer of directory.py
    is redone and the raise is reported (forms.py is a dependency of the answer)."""
    folder = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "reraised_answers", folder)
    cache = tmp_path / "cache"
    directory = ["portal/directory.py"]
    first = _run(folder, cache_dir=cache, only=directory)
    assert not any(f.line == 10 for f in first)
    forms = folder / "portal" / "forms.py"
    forms.write_text(
        forms.read_text(encoding="utf-8").replace(
            "    except FieldError as e:\n        e.attach(form)",
            '    except FieldError as e:\n        logger.warning("form error: %s", e.message)\n        e.attach(form)',
        ),
        encoding="utf-8",
    )
    second = _run(folder, cache_dir=cache, only=directory)
    assert [f.rule for f in second if f.line == 10] == ["GDPR103"]
