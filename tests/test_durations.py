"""Unit tests of the static duration evaluator, one per supported form and per refusal."""

import math

import libcst as cst
import pytest

from gdpr_lint.analysis.duration_values import DurationValue, parse_unit_string, render_seconds
from gdpr_lint.analysis.durations import DurationEvaluator
from retention_fake import FakeContext

DAY = 86400

PRELUDE = """\
import datetime
import datetime as dt
import time
from datetime import timedelta
from datetime import timedelta as td
from dateutil.relativedelta import relativedelta
from dateutil import relativedelta as rd_module
from aws_cdk import Duration
import os

ONE_DAY = 86400
ONE_HOUR = 60 * 60
TTL = 400 * ONE_DAY
WEEK = timedelta(weeks=1)
LONG = WEEK * 60
SESSION_TTL = int(os.environ.get("SESSION_TTL", "86400"))
UNKNOWN = int(os.environ["TTL"])
TWICE = 1
TWICE = 2


class Settings:
    CACHE_TTL = 3 * ONE_HOUR
    RETENTION = timedelta(days=30)


def compute():
    return 5
"""


def evaluate(expr_source, unit="seconds", strings="none", mode="duration"):
    source = PRELUDE + f"\nVALUE = {expr_source}\n"
    ctx = FakeContext(source, {})
    ctx._collect(ctx.module.body, ctx.module_scope.names, None)
    value = ctx.module_scope.names["VALUE"][0]
    evaluator = DurationEvaluator(ctx)
    if mode == "expiry":
        return evaluator.expiry(value)
    return evaluator.duration(value, unit=unit, strings=strings)


@pytest.mark.parametrize(
    "expr, seconds",
    [
        ("3600", 3600),
        ("2.5", 2.5),
        ("60 * 60 * 24 * 400", 400 * DAY),
        ("(60 * 60) * 24 * 400", 400 * DAY),
        ("2 ** 10", 1024),
        ("7200 // 2", 3600),
        ("-(-5)", 5),
        ("datetime.timedelta(days=400)", 400 * DAY),
        ("dt.timedelta(hours=12)", 12 * 3600),
        ("timedelta(weeks=2)", 14 * DAY),
        ("td(minutes=30)", 1800),
        ("timedelta(seconds=90)", 90),
        ("timedelta(milliseconds=1500)", 1.5),
        ("timedelta(30)", 30 * DAY),
        ("timedelta(1, 3600)", DAY + 3600),
        ("timedelta(days=1, hours=12)", 1.5 * DAY),
        ("timedelta(days=400).total_seconds()", 400 * DAY),
        ("int(timedelta(days=2).total_seconds())", 2 * DAY),
        ("timedelta(days=1) * 3", 3 * DAY),
        ("3 * timedelta(days=1)", 3 * DAY),
        ("timedelta(days=2) - timedelta(hours=12)", 1.5 * DAY),
        ("timedelta(days=10) / 2", 5 * DAY),
        ("TTL", 400 * DAY),
        ("ONE_DAY * 400", 400 * DAY),
        ("LONG", 420 * DAY),
        ("Settings.CACHE_TTL", 3 * 3600),
        ("Settings.RETENTION", 30 * DAY),
        ("SESSION_TTL", DAY),
        ("Duration.days(35)", 35 * DAY),
        ("Duration.hours(2)", 7200),
        ("float('inf')", math.inf),
    ],
)
def test_duration_forms(expr, seconds):
    value = evaluate(expr)
    assert value is not None, expr
    assert value.seconds == pytest.approx(seconds)


def test_relativedelta_keeps_calendar_text():
    value = evaluate("relativedelta(months=13)")
    assert value.text == "13 months"
    assert not value.exceeds(395)  # 13 months is the CNIL cookie limit, 395 days
    assert value.exceeds(365)
    assert evaluate("rd_module.relativedelta(years=2)").text == "2 years"
    assert evaluate("relativedelta(years=1)").exceeds(365) is False
    assert evaluate("relativedelta(years=1, months=6)").text == "1 year and 6 months"


@pytest.mark.parametrize(
    "expr, unit, seconds",
    [
        ("400", "days", 400 * DAY),
        ("8760", "hours", 365 * DAY),
        ("604800000", "milliseconds", 7 * DAY),
        ("13", "months", 13 * 365 / 12 * DAY),
        ("timedelta(days=3)", "milliseconds", 3 * DAY),  # a timedelta carries its own unit
    ],
)
def test_units_from_the_catalogue(expr, unit, seconds):
    assert evaluate(expr, unit=unit).seconds == pytest.approx(seconds)


@pytest.mark.parametrize(
    "expr, seconds",
    [
        ("'400d'", 400 * DAY),
        ("'12h'", 12 * 3600),
        ("'30m'", 1800),
        ("'90s'", 90),
        ("'500ms'", 0.5),
        ("'86400000'", DAY),
    ],
)
def test_elasticsearch_unit_strings(expr, seconds):
    assert evaluate(expr, strings="units").seconds == pytest.approx(seconds)


def test_numeric_strings_only_where_the_api_takes_them():
    assert evaluate("'1209600'", strings="numeric").seconds == 1209600
    assert evaluate("str(86400 * 14)", strings="numeric").seconds == 14 * DAY
    assert evaluate("'1209600'") is None
    assert evaluate("'400d'") is None


@pytest.mark.parametrize(
    "expr, seconds",
    [
        ("time.time() + 3600", 3600),
        ("int(time.time()) + 86400 * 30", 30 * DAY),
        ("int(time.time() + TTL)", 400 * DAY),
        ("datetime.datetime.now() + timedelta(days=400)", 400 * DAY),
        ("dt.datetime.utcnow() + dt.timedelta(days=2)", 2 * DAY),
        ("int((datetime.datetime.now() + timedelta(days=7)).timestamp())", 7 * DAY),
        ("timedelta(days=1) + time.time()", DAY),
    ],
)
def test_expiry_timestamps(expr, seconds):
    assert evaluate(expr, mode="expiry").seconds == pytest.approx(seconds)


@pytest.mark.parametrize(
    "expr",
    [
        "datetime.datetime.now() - timedelta(days=400)",  # a cutoff in the past
        "timedelta(days=400)",  # a duration is not a time point
        "1700000000",
    ],
)
def test_expiry_refuses_what_is_not_now_plus_a_lifetime(expr):
    assert evaluate(expr, mode="expiry") is None


@pytest.mark.parametrize(
    "expr",
    [
        "UNKNOWN",  # environment without default
        "TWICE",  # two definitions
        "compute()",  # a call we cannot evaluate
        "undefined_name",
        "timedelta(days=undefined_name)",
        "timedelta(**kwargs)",
        "relativedelta(day=31)",  # sets a field, not a length
        "relativedelta(dt1, dt2)",
        "'forever'",
        "'400d'",  # a unit string where the API takes none
        "None",
        "True",
        "time.time()",  # a time point, not a length
        "datetime.datetime.now() + timedelta(days=1)",
        "timedelta(days=1) + 5",  # mixing a duration and a bare number
        "1 / 0",
        "10 ** 1000",
        "some.object.ttl",
        "[1, 2]",
    ],
)
def test_refuses_to_guess(expr):
    assert evaluate(expr) is None


def test_origin_names_the_constant():
    assert evaluate("TTL").origin == "TTL, line 13"
    assert evaluate("Settings.RETENTION").origin.startswith("Settings.RETENTION")
    assert evaluate("400").origin is None


@pytest.mark.parametrize(
    "seconds, text",
    [
        (400 * DAY, "400 days"),
        (DAY, "1 day"),
        (1.5 * DAY, "1.5 days"),
        (12 * 3600, "12 hours"),
        (1800, "30 minutes"),
        (90, "90 seconds"),
        (1, "1 second"),
        (0.5, "0.5 seconds"),
        (math.inf, "forever"),
    ],
)
def test_human_rendering(seconds, text):
    assert render_seconds(seconds) == text


def test_forever_value_exceeds_every_limit():
    value = DurationValue.forever_value()
    assert value.forever and value.exceeds(10_000) and str(value) == "forever"


def test_exceeds_tolerates_fractions_of_a_day():
    assert not DurationValue.of(365.5 * DAY).exceeds(365)
    assert DurationValue.of(366 * DAY).exceeds(365)


def test_parse_unit_string_rejects_other_text():
    assert parse_unit_string("400 days") is None
    assert parse_unit_string("d") is None
    assert parse_unit_string(" 7d ").seconds == 7 * DAY


def test_ast_literals_without_context():
    ev = DurationEvaluator(None)
    assert ev.duration(cst.parse_expression("60 * 60")).seconds == 3600
