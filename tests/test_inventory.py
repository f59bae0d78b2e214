"""`gdpr-lint inventory`, the data map and GDPR004, through the real command line.

The map is keyed by meaning: moving code within its file, renaming locals and reordering
functions must change nothing; each kind of real change must give exactly one diff line.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

MODELS = textwrap.dedent("""\
    from django.db import models


    class Customer(models.Model):
        email = models.EmailField()
        phone = models.CharField(max_length=20)
        created = models.DateTimeField(auto_now_add=True)
""")

VIEWS = textwrap.dedent("""\
    import logging

    import boto3
    import posthog

    logger = logging.getLogger(__name__)
    s3 = boto3.client("s3", region_name="eu-central-1")
    SESSION_COOKIE_AGE = 60 * 60 * 24 * 14


    def signup(request):
        email = request.POST["email"]
        logger.info("signup from %s", email)
        return email


    def track(user):
        client = posthog.Posthog("key", host="https://eu.i.posthog.com")
        client.capture(user.id, "signup", properties={"email": user.email})
""")

# The same code: functions reordered, a local renamed, lines moved down, fields reordered.
VIEWS_EDITED = textwrap.dedent('''\
    """Views."""
    import logging

    import boto3
    import posthog

    logger = logging.getLogger(__name__)

    # storage
    s3 = boto3.client(
        "s3",
        region_name="eu-central-1",
    )
    SESSION_COOKIE_AGE = 60 * 60 * 24 * 14


    def track(user):
        ph = posthog.Posthog("key", host="https://eu.i.posthog.com")
        ph.capture(user.id, "signup", properties={"email": user.email})


    def signup(request):
        address = request.POST["email"]
        logger.info("signup from %s", address)
        return address
''')
MODELS_EDITED = MODELS.replace(
    """    email = models.EmailField()
    phone = models.CharField(max_length=20)
""",
    """    phone = models.CharField(max_length=20)

    email = models.EmailField()
""",
)

CONFIG = "[tool.gdpr-lint]\n"


def run(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "gdpr_lint"] + args, cwd=str(cwd), capture_output=True, text=True, env=env, timeout=180
    )


def write(project: Path, files: dict) -> None:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def project(tmp_path):
    write(tmp_path, {"pyproject.toml": CONFIG, "shop/models.py": MODELS, "shop/views.py": VIEWS})
    return tmp_path


def outdated(result) -> list:
    """The diff lines of the GDPR004 findings, in report order."""
    assert result.returncode in (0, 1), result.stderr
    return [f["facts"]["text"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "GDPR004"]


def check_json(project, *paths):
    return run(["check", "--no-cache", "--format", "json", "--exit-zero", *paths], project)


def test_inventory_lists_what_the_code_does(project):
    result = run(["inventory", "--no-cache"], project)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "| email address |  | database model field | email | shop.models.Customer | `shop/models.py:5` |" in text
    assert "| email address |  | logs | shop.views.signup | `shop/views.py:13` |" in text
    assert (
        "| email address |  | telemetry: PostHog (the European Union) | shop.views.track | `shop/views.py:19` |" in text
    )
    assert "| AWS | eu-central-1 | Frankfurt | Germany | EU | yes | shop.views | `shop/views.py:7` |" in text
    assert "| session cookie age | sessions | 14 days | 365 days | shop.views | `shop/views.py:8` |" in text
    assert "## 5. Transfers to third countries (Art. 30(1)(e); allowed: EU, EEA)\n\n_None found in the code._" in text
    assert "| email address |  | request field (POST) | email | shop.views.signup | `shop/views.py:12` |" in text
    assert (
        "| email address |  | database model field; request field (POST) | logs; telemetry: PostHog "
        "(the European Union) | database: Customer (model) |"
    ) in text
    # a model with personal fields is a table that keeps them: under retention with no expiry
    assert (
        "| none in the code | database: Customer (model) | email address, phone number | shop.models.Customer |"
        in (text.split("### Stores of personal data with no expiry")[1])
    )
    # `created` names no personal data: not listed
    assert "created" not in text


def test_moves_renames_and_reorders_change_nothing(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    before = (project / "gdpr-data-map.json").read_bytes()
    assert outdated(check_json(project)) == []
    write(project, {"shop/views.py": VIEWS_EDITED, "shop/models.py": MODELS_EDITED})
    assert outdated(check_json(project)) == []
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    assert (project / "gdpr-data-map.json").read_bytes() == before


CHANGES = {
    "new category to a processor": (
        {
            "shop/views.py": VIEWS.replace(
                'properties={"email": user.email}', 'properties={"email": user.email, "phone": user.phone}'
            )
        },
        ["+ phone number → PostHog (the European Union) [shop.views.track]"],
    ),
    "longer lifetime": (
        {"shop/views.py": VIEWS.replace("24 * 14", "24 * 30")},
        ["~ session cookie age 14 days → 30 days [shop.views]"],
    ),
    "flow removed": (
        {"shop/views.py": VIEWS.replace('logger.info("signup from %s", email)', 'logger.info("signup")')},
        ["− email address → logs [shop.views.signup]"],
    ),
    "region moved out of the EU": (
        {"shop/views.py": VIEWS.replace('"eu-central-1"', '"us-east-1"')},
        ["~ AWS region eu-central-1 → us-east-1 [shop.views]"],
    ),
    "processor moved to another country": (
        {"shop/views.py": VIEWS.replace("eu.i.posthog.com", "us.i.posthog.com")},
        ["~ recipient PostHog the European Union → United States [shop.views.track]"],
    ),
    "special category collected": (
        {"shop/models.py": MODELS.replace("    created", "    diagnosis = models.TextField()\n    created")},
        ["+ health data (Art. 9) enters as database model field [shop.models.Customer]"],
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_real_change_is_one_diff_line(project, name):
    files, expected = CHANGES[name]
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    write(project, files)
    assert outdated(check_json(project)) == expected


def test_gdpr004_points_at_the_code_or_at_the_map(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    write(
        project,
        {
            "shop/views.py": VIEWS.replace(
                'logger.info("signup from %s", email)', 'logger.info("signup from %s", request.POST["phone"])'
            )
        },
    )
    findings = [f for f in json.loads(check_json(project).stdout)["findings"] if f["rule"] == "GDPR004"]
    where = {f["facts"]["text"]: (f["path"], f["line"]) for f in findings}
    assert where["+ phone number → logs [shop.views.signup]"] == ("shop/views.py", 13)
    map_lines = (project / "gdpr-data-map.json").read_text().splitlines()
    path, line = where["− email address → logs [shop.views.signup]"]
    assert path == "gdpr-data-map.json" and '"sink": "logs"' in map_lines[line - 1]
    result = run(["check", "--no-cache", "shop"], project)
    assert result.returncode == 1 and "GDPR004 [data-map-outdated]" in result.stdout
    assert "gdpr-data-map.json is outdated: + phone number → logs [shop.views.signup]" in result.stdout


def test_a_run_on_some_files_compares_only_their_entries(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    write(project, {"shop/views.py": VIEWS.replace("24 * 14", "24 * 30")})
    # pre-commit names the staged files: models.py alone says nothing about views.py
    assert outdated(check_json(project, "shop/models.py")) == []
    assert outdated(check_json(project, "shop/views.py")) == ["~ session cookie age 14 days → 30 days [shop.views]"]


def test_deleted_file_entries_are_removed_in_a_folder_run(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    (project / "shop" / "models.py").unlink()
    assert outdated(check_json(project, "shop/views.py")) == []
    assert outdated(check_json(project)) == [
        "− email address enters as database model field [shop.models.Customer]",
        "− phone number enters as database model field [shop.models.Customer]",
    ]


def test_no_map_no_gdpr004_and_ignored_families_are_not_compared(project):
    write(project, {"shop/views.py": VIEWS.replace("24 * 14", "24 * 30")})
    assert outdated(check_json(project)) == []
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    write(project, {"shop/views.py": VIEWS})
    assert outdated(run(["check", "--no-cache", "--format", "json", "--exit-zero", "--ignore", "GDPR3"], project)) == []


def test_write_on_some_files_keeps_the_other_entries(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    full = (project / "gdpr-data-map.json").read_text()
    write(project, {"shop/views.py": VIEWS.replace("24 * 14", "24 * 30")})
    assert run(["inventory", "--write", "--no-cache", "shop/views.py"], project).returncode == 0
    partial = (project / "gdpr-data-map.json").read_text()
    assert partial == full.replace('"seconds": 1209600', '"seconds": 2592000')


def test_broken_map_is_a_usage_error(project):
    (project / "gdpr-data-map.json").write_text("{not json")
    result = run(["check", "--no-cache"], project)
    assert result.returncode == 2 and "gdpr-data-map.json: not valid JSON" in result.stderr


@pytest.mark.parametrize("output_format", ["markdown", "json", "csv"])
def test_output_is_byte_identical_run_to_run(project, output_format):
    first = run(["inventory", "--no-cache", "--format", output_format], project)
    second = run(["inventory", "--format", output_format, "--jobs", "2"], project)  # cache written
    third = run(["inventory", "--format", output_format], project)  # read from the cache
    assert first.returncode == second.returncode == third.returncode == 0
    assert first.stdout == second.stdout == third.stdout
    write(project, {"shop/views.py": VIEWS_EDITED, "shop/models.py": MODELS_EDITED})
    edited = run(["inventory", "--format", output_format], project).stdout
    assert len(edited.splitlines()) == len(first.stdout.splitlines())


def test_json_and_csv_shapes(project):
    document = json.loads(run(["inventory", "--no-cache", "--format", "json"], project).stdout)
    assert document["format"] == 1 and document["files"] == 2
    assert document["categories"]["email"] == {"label": "email address", "special": False}
    sent = [e for e in document["entries"] if e["kind"] == "sent"]
    assert {(e["category"], e["sink"], e["recipient"], e["scope"]) for e in sent} == {
        ("email", "logs", "", "signup"),
        ("email", "telemetry", "posthog", "track"),
    }
    assert sent[0]["evidence"] == [{"path": "shop/views.py", "line": 13}]
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run(["inventory", "--no-cache", "--format", "csv"], project).stdout)))
    lifetime = [r for r in rows if r["kind"] == "lifetime"]
    assert [(r["setting"], r["days"], r["evidence"]) for r in lifetime] == [
        ("session cookie age", "14", "shop/views.py:8")
    ]


def test_suppressed_findings_stay_in_the_inventory(project):
    write(
        project,
        {
            "shop/views.py": VIEWS.replace(
                'logger.info("signup from %s", email)',
                'logger.info("signup from %s", email)  # gdpr-lint: ignore[GDPR101] -- audit',
            )
        },
    )
    assert "| email address |  | logs | shop.views.signup |" in run(["inventory", "--no-cache"], project).stdout


def _git(project, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=str(project),
        check=True,
        capture_output=True,
    )


def test_diff_against_a_ref(project):
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "base")
    _git(project, "checkout", "-qb", "feature")
    write(
        project,
        {
            "shop/views.py": VIEWS.replace("24 * 14", "24 * 30").replace(
                'properties={"email": user.email}', 'properties={"email": user.email, "phone": user.phone}'
            )
        },
    )
    result = run(["inventory", "--no-cache", "--diff", "main"], project)
    assert result.returncode == 0, result.stderr
    assert (
        "```diff\n+ phone number → PostHog (the European Union) [shop.views.track]\n"
        "~ session cookie age 14 days → 30 days [shop.views]\n```" in result.stdout
    )
    changes = json.loads(run(["inventory", "--no-cache", "--diff", "main", "--format", "json"], project).stdout)
    assert [c["change"] for c in changes["changes"]] == ["added", "changed"]
    assert changes["changes"][1]["before"]["days"] == 14 and changes["changes"][1]["entry"]["days"] == 30
    assert changes["changes"][1]["entry"]["seconds"] == 30 * 86400
    unknown = run(["inventory", "--diff", "nope"], project)
    assert unknown.returncode == 2 and "unknown git ref" in unknown.stderr


def test_observation_lines_match_full_positions():
    """Files without findings get their observations' lines from CPython's statement lines
    and a layout of only the statements involved: the same lines as libcst's positions."""
    from conftest import FIXTURES, fixture_config, make_settings

    from gdpr_lint.file_check import check_data, observations_of
    from gdpr_lint.syntax import positions

    compared = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        settings = make_settings(fixture_config(text))
        findings, _ = check_data(text.encode("utf-8"), path.name, settings)
        cheap = [o.to_dict() for o in observations_of(findings)]
        saved, positions._FastPositionState = positions._FastPositionState, None
        try:
            findings, _ = check_data(text.encode("utf-8"), path.name, settings)
        finally:
            positions._FastPositionState = saved
        assert cheap == [o.to_dict() for o in observations_of(findings)], path
        compared += len(cheap)
    assert compared > 50


# ------------------------------------------------------------------ docs/review.md

REVIEW = ROOT / "docs" / "review.md"


def review_commands():
    import re

    commands = []
    for block in re.findall(r"```(?:yaml|console)\n(.*?)```", REVIEW.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            line = line.strip().lstrip("-").strip()
            line = re.sub(r"^(run:|\$)\s*", "", line)
            if line.startswith("gdpr-lint "):
                commands.append(line.split("  #")[0].strip())
    return commands


def test_review_examples_are_valid_yaml():
    import re

    yaml = pytest.importorskip("yaml")
    blocks = re.findall(r"```yaml\n(.*?)```", REVIEW.read_text(encoding="utf-8"), re.S)
    github, gitlab = (yaml.safe_load(b) for b in blocks)
    steps = github["jobs"]["data-map"]["steps"]
    assert github["jobs"]["data-map"]["permissions"]["pull-requests"] == "write"
    assert any("gh pr comment" in s.get("run", "") for s in steps)
    script = gitlab["gdpr-lint-data-map"]["script"]
    assert any("merge_requests/$CI_MERGE_REQUEST_IID/notes" in line for line in script)


def test_review_commands_run(project):
    """Each gdpr-lint command of docs/review.md, through a shell as a CI runner runs it, on a
    branch that changes the processing."""
    import shlex

    commands = review_commands()
    assert len(commands) >= 8, commands
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "base")
    _git(project, "branch", "origin/main", "main")  # what actions/checkout with fetch-depth 0 provides
    base = subprocess.run(["git", "rev-parse", "main"], cwd=str(project), capture_output=True, text=True).stdout.strip()
    _git(project, "checkout", "-qb", "feature")
    write(project, {"shop/views.py": VIEWS.replace("24 * 14", "24 * 30")})
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", CI_MERGE_REQUEST_DIFF_BASE_SHA=base)
    for command in commands:
        script = command.replace("${{ github.base_ref }}", "main")
        script = f"{shlex.quote(sys.executable)} -m gdpr_lint " + script[len("gdpr-lint ") :]
        done = subprocess.run(
            ["bash", "-c", script], cwd=str(project), env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode in (0, 1), (command, done.stderr)
        if "--output-file data-map-diff.md" in command:
            assert "~ session cookie age 14 days → 30 days [shop.views]" in (project / "data-map-diff.md").read_text()


def test_per_file_ignores_and_class_constants(project):
    write(
        project,
        {
            "pyproject.toml": CONFIG
            + '[tool.gdpr-lint.per-file-ignores]\n"tests/**" = ["GDPR"]\n"shop/views.py" = ["GDPR101"]\n',
            "tests/factories.py": MODELS.replace("Customer", "CustomerFactory"),
            "shop/models.py": MODELS.replace(
                "    created", '    PASSWORD = "password"\n    kind = "customer"\n    created'
            ),
        },
    )
    text = run(["inventory", "--no-cache"], project).stdout
    assert "tests/" not in text  # every rule off there: not in the record either
    assert "| logs |" not in text and "telemetry: PostHog" in text  # GDPR101 off in views.py, GDPR104 on
    assert "PASSWORD" not in text and "kind" not in text.split("## 2.")[1].split("## 3.")[0]
    assert "| email address |  | database model field | email | shop.models.Customer |" in text


def test_personal_data_written_to_a_store_without_expiry(project):
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    write(
        project,
        {
            "shop/cache.py": textwrap.dedent("""\
        import redis

        r = redis.Redis(host="localhost")


        def remember(user):
            r.set(f"user:{user.id}", user.email, ex=3600)
            r.set(f"phone:{user.id}", user.phone)
    """)
        },
    )
    assert outdated(check_json(project)) == [
        "+ email address → cache (redis) [shop.cache.remember]",
        "+ redis key lifetime 1 hour [shop.cache.remember]",
        "+ phone number → cache (redis) [shop.cache.remember]",
        "+ redis key lifetime with no expiry holding phone number [shop.cache.remember]",
    ]


def test_where_data_enters_follows_the_classes_of_the_module(project):
    write(
        project,
        {
            "shop/models.py": textwrap.dedent("""\
        from django.db import models
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        class Person(db.Model):
            name = db.Column(db.UnicodeText)
            email = db.Column(db.String(128))


        class Project(db.Model):
            name = db.Column(db.UnicodeText)


        class AbstractAddress(models.Model):
            first_name = models.CharField(max_length=255)


        class ShippingAddress(AbstractAddress):
            phone_number = models.CharField(max_length=32)
    """)
        },
    )
    document = json.loads(run(["inventory", "--no-cache", "--format", "json", "shop/models.py"], project).stdout)
    entered = {(e["scope"], e["category"], e["name"]) for e in document["entries"] if e["kind"] == "data"}
    # a person's `name`, not a project's; a subclass of a model of the module is a model
    assert entered == {
        ("Person", "person_name", "name"),
        ("Person", "email", "email"),
        ("AbstractAddress", "person_name", "first_name"),
        ("ShippingAddress", "phone", "phone_number"),
    }


def test_url_hosts_are_named_only_when_known(project):
    write(
        project,
        {
            "shop/crm.py": textwrap.dedent("""\
        import requests

        SEARCH = "https://crm.example.com/api/search?email=%(email)s"


        def lookup(user, region):
            requests.get(SEARCH % {"email": user.email}, timeout=5)
            requests.get(f"https://api.{region}.example.com/p?phone={user.phone}", timeout=5)
            requests.post(f"https://hooks.example.org/x?name={user.full_name}", timeout=5)
    """)
        },
    )
    document = json.loads(run(["inventory", "--no-cache", "--format", "json", "shop/crm.py"], project).stdout)
    sent = {(e["category"], e["recipient"]) for e in document["entries"] if e["kind"] == "sent"}
    assert sent == {("email", "crm.example.com"), ("phone", ""), ("person_name", "hooks.example.org")}


def test_diff_of_a_file_the_branch_adds(project):
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "base")
    write(
        project,
        {
            "shop/tasks.py": "import logging\nlog = logging.getLogger(__name__)\n\n\n"
            "def bounce(user):\n    log.warning('bounce %s', user.email)\n"
        },
    )
    result = run(["inventory", "--no-cache", "--diff", "main", "--format", "json", "shop/tasks.py"], project)
    assert result.returncode == 0, result.stderr
    # only the new file's entry: the rest of the base tree is not "removed"
    assert [c["text"] for c in json.loads(result.stdout)["changes"]] == ["+ email address → logs [shop.tasks.bounce]"]


STORES = textwrap.dedent("""\
    import boto3
    from celery import shared_task

    from shop.models import Customer

    s3 = boto3.client("s3", region_name="eu-central-1")


    @shared_task
    def welcome(address):
        return address


    def signup(request):
        email = request.POST["email"]
        Customer.objects.create(email=email)
        welcome.delay(email)


    def export(customer):
        s3.put_object(Bucket="acme-exports", Key=f"{customer.id}.json", Body=customer.email)
""")

# the same writes: functions reordered, a local renamed, lines moved, arguments laid out anew
STORES_EDITED = textwrap.dedent('''\
    """Stores."""
    import boto3
    from celery import shared_task

    from shop.models import Customer

    s3 = boto3.client("s3", region_name="eu-central-1")


    def export(customer):
        s3.put_object(
            Bucket="acme-exports",
            Key=f"{customer.id}.json",
            Body=customer.email,
        )


    @shared_task
    def welcome(address):
        return address


    def signup(request):
        address = request.POST["email"]
        Customer.objects.create(email=address)
        welcome.delay(address)
''')


def test_stores_in_the_inventory_and_under_retention(project):
    write(project, {"shop/stores.py": STORES})
    text = run(["inventory", "--no-cache"], project).stdout
    stores = text.split("### Stores it is written to")[1].split("## 4.")[0]
    assert (
        "| database | model Customer | Django ORM | email address | no expiry | shop.stores.signup | `shop/stores.py:16` |"
        in stores
    )
    assert "| queue | task welcome | Celery | email address | until consumed | shop.stores.signup |" in stores
    assert "| object storage | bucket acme-exports | S3 | email address | no expiry | shop.stores.export |" in stores
    kept = text.split("### Stores of personal data with no expiry")[1]
    # the writes to Customer are its table's: the model's own row says it (test_inventory_lists_...)
    assert "database: Customer (Django ORM)" not in kept
    assert "| none in the code | database: Customer (model) |" in kept
    assert "| none in the code | object storage: acme-exports (S3) | email address | shop.stores.export |" in kept
    assert "Celery" not in kept  # a queue's messages are gone once consumed
    categories = text.split("## 2.")[0]
    email = next(line for line in categories.splitlines() if line.startswith("| email address |"))
    # where it goes: the writes; where it is kept with no expiry: the table, once
    assert "database: Customer (Django ORM); " in email.split(" | ")[3]
    assert email.split(" | ")[4] == "database: Customer (model); object storage: acme-exports (S3) |"


def test_test_code_is_no_processing_to_record(project):
    """A test's made-up customer is left out, as check leaves out its findings at the default
    min-confidence; `min-confidence = "low"` lists it."""
    write(project, {"shop/stores.py": STORES, "shop/tests/test_stores.py": STORES.replace("signup", "test_signup")})
    document = json.loads(run(["inventory", "--no-cache", "--format", "json"], project).stdout)
    paths = {e["path"] for e in document["entries"]}
    assert "shop/stores.py" in paths and "shop/tests/test_stores.py" not in paths
    write(project, {"pyproject.toml": CONFIG + 'min-confidence = "low"\n'})
    document = json.loads(run(["inventory", "--no-cache", "--format", "json"], project).stdout)
    assert "shop/tests/test_stores.py" in {e["path"] for e in document["entries"]}


def test_stores_survive_moves_and_renames(project):
    write(project, {"shop/stores.py": STORES})
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    before = (project / "gdpr-data-map.json").read_bytes()
    assert b'"kind": "stored"' in before and b'"name": "acme-exports"' in before
    write(project, {"shop/stores.py": STORES_EDITED})
    assert outdated(check_json(project)) == []
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    assert (project / "gdpr-data-map.json").read_bytes() == before
    for output_format in ("markdown", "json", "csv"):
        first = run(["inventory", "--no-cache", "--format", output_format], project).stdout
        assert run(["inventory", "--format", output_format, "--jobs", "2"], project).stdout == first


STORE_CHANGES = {
    "a new category to a store": (
        STORES.replace(
            "Customer.objects.create(email=email)", 'Customer.objects.create(email=email, phone=request.POST["phone"])'
        ),
        [
            "+ phone number enters as request field (POST) [shop.stores.signup]",
            "+ phone number → database: Customer (Django ORM) [shop.stores.signup]",
        ],
    ),
    "another bucket": (
        STORES.replace('"acme-exports"', '"acme-exports-us"'),
        [
            "+ email address → object storage: acme-exports-us (S3) [shop.stores.export]",
            "− email address → object storage: acme-exports (S3) [shop.stores.export]",
        ],
    ),
    "a write removed": (
        STORES.replace("    welcome.delay(email)\n", ""),
        ["− email address → queue: welcome (Celery) [shop.stores.signup]"],
    ),
}


@pytest.mark.parametrize("name", sorted(STORE_CHANGES))
def test_each_change_to_a_store_is_a_diff_line(project, name):
    write(project, {"shop/stores.py": STORES})
    assert run(["inventory", "--write", "--no-cache"], project).returncode == 0
    text, expected = STORE_CHANGES[name]
    write(project, {"shop/stores.py": text})
    assert sorted(outdated(check_json(project))) == sorted(expected)


PERSON_ONLY = textwrap.dedent('''\
    from dataclasses import dataclass

    from django.db import models


    class Order(models.Model):
        total = models.DecimalField(max_digits=8, decimal_places=2)


    class Customer(models.Model):
        """A customer of the shop."""

        created = models.DateTimeField(auto_now_add=True)
        name = models.CharField(max_length=100)


    @dataclass(frozen=True)
    class Guest:
        name: str
''')

# a model named for no person, a person's class that is no model: their `name` is nobody's
NOBODY = textwrap.dedent("""\
    from django.db import models


    class Project(models.Model):
        name = models.CharField(max_length=100)


    class UserAdmin:
        name = "users"
""")


def test_a_persons_model_whose_only_personal_field_is_a_bare_name(project):
    """The pre-filter keeps the class line of a model named for a person: its `name` field
    alone names nothing, so neither the file nor the class was parsed."""
    write(project, {"shop/people.py": PERSON_ONLY, "shop/projects.py": NOBODY})
    document = json.loads(run(["inventory", "--no-cache", "--format", "json", "shop"], project).stdout)
    entered = {(e["path"], e["scope"], e["category"]) for e in document["entries"] if e["kind"] == "data"}
    assert ("shop/people.py", "Customer", "person_name") in entered
    assert ("shop/people.py", "Guest", "person_name") in entered
    assert not [e for e in entered if e[0] == "shop/projects.py"]


def test_person_class_lines_pass_the_prefilter_and_others_do_not():
    sys.path.insert(0, str(ROOT))
    from gdpr_lint.config import Config
    from gdpr_lint.settings import RunSettings

    prefilter = RunSettings(Config()).prefilter
    assert prefilter.passes(PERSON_ONLY)
    assert not prefilter.passes(NOBODY)
    assert not prefilter.passes("class CustomerQuery:\n    name = 'customers'\n")
