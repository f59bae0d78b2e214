"""Shared helpers for the CI-workflow tests: realistic findings and runs built directly
(no engine needed), TOML rule docs, and a real temporary git repository."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
from typing import Dict, List

from gdpr_lint import _records
from gdpr_lint.baseline import assign_fingerprints, normalise_source
from gdpr_lint.model import FileError, Finding, Rule, RunResult

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_rules() -> Dict[str, Rule]:
    """Every rule documented in rules/*.toml, plus stand-ins for families not written yet."""
    rules: Dict[str, Rule] = {}
    fields = {f.name for f in _records.fields(Rule)}
    for path in sorted((ROOT / "rules").glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            data = {k: v for k, v in raw.items() if k in fields}
            if "tags" in data:
                data["tags"] = tuple(data["tags"])
            rules[raw["code"]] = Rule(**data)
    rules.setdefault("GDPR101", PII_IN_LOG)
    rules.setdefault("GDPR201", NON_EU_REGION)
    rules.setdefault("GDPR301", NO_EXPIRY)
    return rules


PII_IN_LOG = Rule(
    code="GDPR101",
    name="pii-in-log",
    family="exposure",
    severity="error",
    gdpr="Art. 5(1)(f) (integrity and confidentiality)",
    summary="Personal data is written to a log",
    what="Flags logging calls whose arguments carry personal data.",
    why="Logs are copied to many systems, kept long and read by many people.",
    example='logger.info("signup %s", user.email)',
    use_instead='logger.info("signup %s", user.id)',
    configuration="Add sanitizers under [tool.gdpr-lint.pii] sanitizers.",
    security_relevant=True,
)
NON_EU_REGION = Rule(
    code="GDPR201",
    name="non-eu-region",
    family="residency",
    severity="warning",
    gdpr="Art. 44-46 (transfers to third countries)",
    summary="A client is configured for a region outside the allowed jurisdictions",
    what="Flags cloud clients created for regions outside the EU/EEA.",
    why="Transfers to third countries need a legal basis.",
    example='boto3.client("s3", region_name="us-east-1")',
    use_instead='boto3.client("s3", region_name="eu-central-1")',
    configuration="[tool.gdpr-lint.residency] allowed-regions.",
)
NO_EXPIRY = Rule(
    code="GDPR301",
    name="no-expiry",
    family="retention",
    severity="info",
    gdpr="Art. 5(1)(e) (storage limitation)",
    summary="Personal data stored with no expiry",
    what="Flags cache writes of personal data without a timeout.",
    why="Storage limitation.",
    example="cache.set(key, user.email)",
    use_instead="cache.set(key, user.email, timeout=3600)",
    configuration="[tool.gdpr-lint.retention] max-days.",
)


def finding(
    rule: Rule,
    path: str,
    line: int,
    column: int,
    end_column: int,
    message: str,
    *,
    categories=(),
    source: str = "",
    end_line: int = 0,
    confidence: str = "medium",
) -> Finding:
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        path=path,
        line=line,
        column=column,
        end_line=end_line or line,
        end_column=end_column,
        message=message,
        categories=tuple(categories),
        confidence=confidence,
        source=normalise_source(source) if source else "",
    )


def sample_run() -> RunResult:
    """A realistic run: a Django view, a Celery task, an S3 helper, an unreadable file."""
    findings = [
        finding(
            PII_IN_LOG,
            "shop/views.py",
            42,
            9,
            58,
            "email address (customer.email) is written to a log",
            categories=["email"],
            source='logger.info("order for %s", customer.email)',
            confidence="high",
        ),
        finding(
            PII_IN_LOG,
            "shop/views.py",
            77,
            13,
            71,
            'phone number (form.cleaned_data["phone"]) is written to a log',
            categories=["phone"],
            source='logger.warning("bad phone %s", form.cleaned_data["phone"])',
        ),
        finding(
            PII_IN_LOG,
            "shop/tasks.py",
            18,
            5,
            61,
            "email address (user.email), IP address (request_ip) are written to a log",
            categories=["email", "ip-address"],
            source='log.error("bounce %s %s", user.email, request_ip)',
        ),
        finding(
            NON_EU_REGION,
            "infra/storage.py",
            9,
            6,
            52,
            "S3 client in us-east-1 (United States) is outside the allowed jurisdictions (EU, EEA)",
            source='s3 = boto3.client("s3", region_name="us-east-1")',
            end_line=10,
        ),
        finding(
            NO_EXPIRY,
            "shop/cache.py",
            23,
            5,
            47,
            "session data with email stored in the cache with no expiry",
            categories=["email"],
            source="cache.set(key, profile)",
        ),
        # text from scanned code: an ANSI escape and markup in a name must be shown inert
        finding(
            PII_IN_LOG,
            "legacy/odd.py",
            3,
            1,
            30,
            "password (pw\x1b[2J|<b>@admin</b>) is written to a log",
            categories=["credentials"],
            source="print(pw)",
        ),
    ]
    return RunResult(
        findings=assign_fingerprints(findings),
        errors=[FileError("vendor/latin1.py", "cannot decode file as UTF-8: invalid start byte at offset 120")],
        files=57,
        suppressed=2,
    )


# ----------------------------------------------------------------- a stand-in engine

_LEAK = re.compile(r"^\s*(?P<stmt>(?:logger|log)\.\w+\(.*(?:email|phone).*\))\s*(?:#.*)?$")


def scan_leaks(root: pathlib.Path, relative: str) -> List[Finding]:
    """Find `logger.x(... email ...)` one-line statements: enough of an engine for
    baseline tests, which are about identity across edits, not about detection."""
    out = []
    text = (root / relative).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LEAK.match(line)
        if match:
            stmt = match.group("stmt")
            out.append(
                finding(
                    PII_IN_LOG,
                    relative,
                    number,
                    match.start("stmt") + 1,
                    match.end("stmt") + 1,
                    "email address is written to a log",
                    categories=["email"],
                    source=stmt,
                )
            )
    return assign_fingerprints(out)


# ----------------------------------------------------------------- git


def git_env(home: pathlib.Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "GIT_CEILING_DIRECTORIES": str(home.parent),
        }
    )
    return env


class GitRepo:
    def __init__(self, path: pathlib.Path, env: Dict[str, str]):
        self.path = path
        self.env = env
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env,
            check=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ).stdout

    def write(self, relative: str, text: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
