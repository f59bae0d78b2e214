"""Unit tests of the retention family against a stand-in Context (see retention_fake).

The fixture test (tests/fixtures/retention/) runs the same rules through the real engine.
"""

import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from gdpr_lint.checks.retention import CHECK
from gdpr_lint.checks.retention_state import split_words
from retention_fake import FakeContext

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RULES = Path(__file__).resolve().parent.parent / "rules" / "retention.toml"
TABLES = tomllib.loads(RULES.read_text())
TABLES.pop("rule")
# the shared value analysis (environment getters) the Context honours
TABLES["values"] = tomllib.loads((RULES.parent / "values.toml").read_text())["values"]


def config(max_days=365, limits=None):
    return SimpleNamespace(retention=SimpleNamespace(max_days=max_days, limits=dict(limits or {})))


def run(source, cfg=None, codes=("GDPR301", "GDPR302")):
    source = textwrap.dedent(source)
    cfg = cfg or config()
    ctx = FakeContext(source, TABLES, cfg)
    check = CHECK(SimpleNamespace(tables=TABLES, rules={}), cfg, frozenset(codes))
    return ctx.run(check)


def found(source, **kw):
    return [(r.line, r.code) for r in run(source, **kw)]


def test_redis_ttl_over_the_default_limit_message():
    reports = run(
        """
        import redis
        r = redis.Redis()
        r.set("profile:42", payload, ex=60 * 60 * 24 * 400)
        """
    )
    assert [(r.line, r.code) for r in reports] == [(4, "GDPR301")]
    assert reports[0].message == (
        "redis key lifetime of 400 days exceeds the 365-day limit ([tool.gdpr-lint.retention] max-days)"
    )
    assert reports[0].facts["api"] == "redis.set" and reports[0].facts["limit_days"] == 365


def test_redis_forms_and_units():
    src = """
    import redis
    from datetime import timedelta
    client = redis.Redis.from_url("redis://localhost")
    ONE_DAY = 86400
    client.setex("a", ONE_DAY * 400, "v")
    client.setex("b", timedelta(days=30), "v")
    client.psetex("c", 1000 * 86400 * 500, "v")
    client.expire("d", timedelta(days=366))
    client.pexpire("e", 1000)
    client.set("f", "v", px=86400 * 1000 * 2)
    client.getex("g", ex=86400 * 1000)
    """
    assert found(src) == [(6, "GDPR301"), (8, "GDPR301"), (9, "GDPR301"), (12, "GDPR301")]


def test_session_category_from_the_key_and_per_category_limit():
    src = """
    import redis
    r = redis.Redis()
    r.setex(f"session:{sid}", 86400 * 60, data)
    r.setex(f"profile:{uid}", 86400 * 60, data)
    """
    reports = run(src, cfg=config(limits={"sessions": 30}))
    assert [(r.line, r.code) for r in reports] == [(4, "GDPR301")]
    assert "([tool.gdpr-lint.retention.limits] sessions)" in reports[0].message
    assert "30-day limit" in reports[0].message


def test_personal_data_in_redis_without_ttl():
    src = """
    import redis
    r = redis.Redis()

    def save(user):
        r.set(f"user:{user.id}", user.email)

    def save_with_expire(user):
        r.hset(f"u:{user.id}", "email", user.email)
        r.expire(f"u:{user.id}", 3600)

    def save_with_ttl(user):
        r.set(f"user:{user.id}", user.email, ex=3600)

    def save_counter(user):
        r.incr("visits")
        r.set("last_seen_count", 5)

    def keep(user):
        r.set(f"user:{user.id}", user.email, keepttl=True)
    """
    assert found(src) == [(6, "GDPR302")]


def test_expire_on_the_same_key_elsewhere_in_the_file_excuses():
    src = """
    import redis

    class Store:
        def __init__(self):
            self.redis = redis.Redis()

        def put(self, key, user):
            self.redis.lpush(key, user.email)

        def touch(self, key):
            self.redis.expire(key, 600)
    """
    assert found(src) == []


def test_django_cache_timeouts():
    src = """
    from django.core.cache import cache, caches

    def remember(user):
        cache.set(f"profile:{user.pk}", user.email, timeout=None)
        cache.set("rates", rates, timeout=None)
        cache.set("stats", stats, 60 * 60 * 24 * 500)
        cache.set("x", value)
        caches["default"].set("y", user.email, None)
    """
    assert found(src) == [(5, "GDPR302"), (7, "GDPR301"), (9, "GDPR302")]


def test_cookies_and_sessions():
    src = """
    from datetime import datetime, timedelta
    from flask_login import login_user

    def view(request, response):
        response.set_cookie("sessionid", "x", max_age=60 * 60 * 24 * 400)
        response.set_cookie("theme", "dark", expires=datetime.now() + timedelta(days=800))
        response.set_cookie("theme", "dark", max_age=3600)
        request.session.set_expiry(timedelta(days=400))
        request.session.set_expiry(0)
        login_user(user, remember=True, duration=timedelta(days=500))
    """
    reports = run(src)
    assert [(r.line, r.code) for r in reports] == [(6, "GDPR301"), (7, "GDPR301"), (9, "GDPR301"), (11, "GDPR301")]
    assert reports[0].facts["category"] == "sessions"
    assert reports[1].facts["category"] == "cookies"


def test_settings():
    src = """
    from datetime import timedelta
    SESSION_COOKIE_AGE = 60 * 60 * 24 * 400
    CSRF_COOKIE_AGE = 31449600
    CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "TIMEOUT": None},
        "local": {"BACKEND": "x", "TIMEOUT": 300},
    }
    PERMANENT_SESSION_LIFETIME = timedelta(days=31)
    REMEMBER_COOKIE_DURATION = timedelta(days=730)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=400)
    app.config.update(PERMANENT_SESSION_LIFETIME=timedelta(days=500))
    app.conf.result_expires = None
    app.conf.update(result_expires=timedelta(days=2))
    """
    assert found(src) == [
        (3, "GDPR301"),
        (6, "GDPR302"),
        (10, "GDPR301"),
        (11, "GDPR301"),
        (12, "GDPR301"),
        (13, "GDPR302"),
    ]


def test_named_constants():
    src = """
    from datetime import timedelta
    LOG_RETENTION_DAYS = 400
    BACKUP_TTL = 60 * 60 * 24 * 10
    DATA_RETENTION = 90
    CACHE_TTL = 300
    ACCESS_TOKEN_LIFETIME = timedelta(days=900)
    SECURE_HSTS_MAX_AGE = 63072000
    PRESIGNED_URL_EXPIRY_SECONDS = 60 * 60 * 24 * 800
    AUDIT_LOG_RETENTION = timedelta(days=3650)
    EVENTS_MAX_AGE_HOURS = 24 * 500

    def f():
        LOCAL_RETENTION_DAYS = 900
    """
    reports = run(src, cfg=config(limits={"logs": 365, "backups": 7}))
    assert [(r.line, r.code) for r in reports] == [(3, "GDPR301"), (4, "GDPR301"), (10, "GDPR301"), (11, "GDPR301")]
    assert reports[0].message == (
        "LOG_RETENTION_DAYS of 400 days exceeds the 365-day limit ([tool.gdpr-lint.retention.limits] logs)"
    )
    assert reports[1].facts["category"] == "backups"


def test_constant_used_at_a_call_site_is_reported_once():
    src = """
    import redis
    SESSION_TTL = 86400 * 400
    r = redis.Redis()
    r.setex("session:1", SESSION_TTL, "x")
    """
    assert found(src) == [(3, "GDPR301")]


def test_aws():
    src = """
    import boto3
    from datetime import datetime
    logs = boto3.client("logs")
    s3 = boto3.client("s3", region_name="eu-west-1")
    rds = boto3.client("rds")
    sqs = boto3.client("sqs")
    kinesis = boto3.client("kinesis")
    logs.put_retention_policy(logGroupName="/app/api", retentionInDays=3653)
    logs.put_retention_policy(logGroupName="/app/api", retentionInDays=90)
    s3.put_bucket_lifecycle_configuration(
        Bucket="acme-app-logs",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire",
                    "Status": "Enabled",
                    "Expiration": {"Days": 400},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    "Transitions": [{"Days": 900, "StorageClass": "GLACIER"}],
                }
            ]
        },
    )
    rds.create_db_instance(DBInstanceIdentifier="db", BackupRetentionPeriod=35)
    sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": str(86400 * 14)})
    kinesis.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=24 * 400)
    """
    reports = run(src, cfg=config(limits={"logs": 365, "backups": 7}))
    assert [(r.line, r.code) for r in reports] == [(9, "GDPR301"), (18, "GDPR301"), (25, "GDPR301"), (27, "GDPR301")]
    assert reports[1].facts["category"] == "logs"
    assert "10 years" not in reports[0].message and "3653 days" in reports[0].message


def test_log_group_without_retention():
    forever = """
    import boto3
    logs = boto3.client("logs")

    def ensure(name):
        logs.create_log_group(logGroupName=name)
    """
    assert found(forever) == [(6, "GDPR302")]
    with_policy = (
        forever
        + """
        logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    """
    )
    assert found(with_policy) == []


def test_dynamodb_ttl():
    src = """
    import time
    import boto3
    table = boto3.resource("dynamodb").Table("sessions")
    client = boto3.client("dynamodb")
    table.put_item(Item={"pk": "1", "ttl": int(time.time()) + 86400 * 400})
    table.put_item(Item={"pk": "1", "ttl": int(time.time()) + 3600})
    client.put_item(TableName="events", Item={"pk": {"S": "1"}, "expires_at": {"N": str(int(time.time() + 86400 * 1000))}})
    """
    assert found(src) == [(6, "GDPR301"), (8, "GDPR301")]


def test_kafka_mongo_es_gcs_bigquery():
    src = """
    from datetime import datetime, timedelta
    from kafka.admin import NewTopic
    from google.cloud import bigquery
    NewTopic("events", 3, 1, topic_configs={"retention.ms": "-1"})
    NewTopic("clicks", 3, 1, topic_configs={"retention.ms": str(400 * 24 * 3600 * 1000)})
    NewTopic("orders", 3, 1, topic_configs={"retention.ms": "604800000", "cleanup.policy": "delete"})
    db.events.create_index("created_at", expireAfterSeconds=86400 * 400)
    es.ilm.put_lifecycle(name="logs", policy={"phases": {"hot": {"min_age": "0ms"}, "delete": {"min_age": "400d", "actions": {"delete": {}}}}})
    es.ilm.put_lifecycle(name="m", policy={"phases": {"warm": {"min_age": "900d"}, "delete": {"min_age": "30d"}}})
    bucket.add_lifecycle_delete_rule(age=400)
    bucket.lifecycle_rules = [{"action": {"type": "Delete"}, "condition": {"age": 800}}]
    bucket.lifecycle_rules = [{"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"}, "condition": {"age": 800}}]
    bigquery.TimePartitioning(field="ts", expiration_ms=1000 * 86400 * 400)
    dataset.default_table_expiration_ms = 1000 * 86400 * 30
    """
    assert found(src) == [
        (5, "GDPR302"),
        (6, "GDPR301"),
        (8, "GDPR301"),
        (9, "GDPR301"),
        (11, "GDPR301"),
        (12, "GDPR301"),
        (14, "GDPR301"),
    ]


def test_cdk():
    src = """
    from aws_cdk import Duration
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_rds as rds
    logs.LogGroup(self, "Api", retention=logs.RetentionDays.INFINITE)
    logs.LogGroup(self, "Api2", retention=logs.RetentionDays.TEN_YEARS)
    logs.LogGroup(self, "Api3", retention=logs.RetentionDays.ONE_MONTH)
    rds.DatabaseInstance(self, "Db", backup_retention=Duration.days(35))
    """
    assert found(src, cfg=config(limits={"backups": 7})) == [(5, "GDPR302"), (6, "GDPR301"), (8, "GDPR301")]


def test_never_flag_timeouts_sleeps_windows_and_cutoffs():
    src = """
    import time
    import requests
    from datetime import timedelta
    from django.utils import timezone
    REQUEST_TIMEOUT = 60 * 60 * 24 * 400
    RATE_LIMIT_WINDOW = 86400 * 400
    TOKEN_REFRESH_INTERVAL = 86400 * 400
    REFRESH_TOKEN_LIFETIME = timedelta(days=400)
    requests.get(url, timeout=86400 * 400)
    time.sleep(86400 * 400)
    sock.settimeout(86400 * 400)
    limiter.limit("100/day", per=86400 * 400)

    def purge():
        cutoff = timezone.now() - timedelta(days=400)
        Event.objects.filter(created__lt=cutoff).delete()
        Event.objects.filter(created__lt=timezone.now() - timedelta(days=400)).delete()
    """
    assert found(src) == []


def test_disabled_codes_do_not_report():
    src = """
    import redis
    r = redis.Redis()
    r.set("k", "v", ex=86400 * 400)
    """
    assert found(src, codes=("GDPR302",)) == []


def test_split_words():
    assert split_words("LOG_RETENTION_DAYS") == ["log", "retention", "days"]
    assert split_words("sessionTtl") == ["session", "ttl"]
    assert split_words("acme-app-logs") == ["acme", "app", "logs"]


def test_prefilter_tokens_cover_every_entry():
    check = CHECK(SimpleNamespace(tables=TABLES, rules={}), config(), frozenset(("GDPR301", "GDPR302")))
    tokens = set(check.prefilter_tokens())
    assert {"ex=", "set_cookie", "create_log_group", "retention.ms", "session_cookie_age", "ttl"} <= tokens
    for entry in TABLES["retention"]["calls"]:
        # a store with no lifetime argument is found through the personal-data tokens
        assert entry.get("tokens") or entry.get("store"), entry["api"]


@pytest.mark.parametrize("code", ["GDPR301", "GDPR302"])
def test_rule_docs_are_complete(code):
    rules = {r["code"]: r for r in tomllib.loads(RULES.read_text())["rule"]}
    rule = rules[code]
    for key in ("what", "why", "example", "use_instead", "configuration", "gdpr", "summary"):
        assert rule[key].strip(), key


def test_a_cache_default_timeout_says_what_it_governs_at_low_confidence():
    """A cache's default timeout is the lifetime of entries written without one of their own,
    not of all the cache holds: reported low, saying so; Celery's result expiry governs every
    result the backend keeps and stays medium."""
    from conftest import analyse_text

    source = textwrap.dedent(
        """
        app.config["CACHE_DEFAULT_TIMEOUT"] = 0
        CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "TIMEOUT": 60 * 60 * 24 * 400}}
        app.conf.result_expires = None
        """
    )
    reports, _ = analyse_text(source, {"min-confidence": "low", "select": ["GDPR3"]})
    assert [(r.line, r.rule, r.confidence) for r in reports] == [
        (2, "GDPR302", "low"),
        (3, "GDPR301", "low"),
        (4, "GDPR302", "medium"),
    ]
    assert reports[0].message == (
        "cache default timeout is set to 0: cache entries stored without their own timeout are kept forever"
    )
    assert reports[1].message.endswith(": the lifetime of cache entries stored without their own timeout")
    assert reports[0].facts["confidence_reason"].startswith("a default:")
    shown, _ = analyse_text(source, {"select": ["GDPR3"]})
    assert [(r.line, r.rule) for r in shown] == [(4, "GDPR302")]
