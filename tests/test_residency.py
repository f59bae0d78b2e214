"""Unit tests of the residency matching logic: hosts, ARNs, policy, and the check on small snippets."""

import pytest

from conftest import analyse_text
from gdpr_lint.checks.residency_catalog import Catalog, Policy, host_of


@pytest.fixture(scope="module")
def catalog():
    from gdpr_lint.knowledge import load

    return Catalog(load().tables)


@pytest.mark.parametrize(
    "text, provider, rid",
    [
        ("https://s3.us-west-2.amazonaws.com", "aws", "us-west-2"),
        ("https://s3-us-west-2.amazonaws.com/bucket", "aws", "us-west-2"),
        ("bucket.s3-website-eu-west-1.amazonaws.com", "aws", "eu-west-1"),
        ("db.abc123.us-east-1.rds.amazonaws.com", "aws", "us-east-1"),
        ("https://sqs.eu-west-3.amazonaws.com/1234/q", "aws", "eu-west-3"),
        ("arn:aws:sns:ap-south-1:123456789012:topic", "aws", "ap-south-1"),
        ("arn:aws-cn:s3:cn-north-1:123:thing", "aws", "cn-north-1"),
        ("https://nyc3.digitaloceanspaces.com", "digitalocean", "nyc3"),
        ("https://bucket.fra1.digitaloceanspaces.com", "digitalocean", "fra1"),
        ("https://s3.gra.io.cloud.ovh.net", "ovh", "gra"),
        ("https://s3.bhs.io.cloud.ovh.net", "ovh", "bhs"),
        ("https://s3.fr-par.scw.cloud", "scaleway", "fr-par"),
        ("https://fsn1.your-objectstorage.com", "hetzner", "fsn1"),
        ("https://objectstorage.eu-jovanovac-1.oraclecloud.com", "oci", "eu-jovanovac-1"),
        ("https://oss-eu-west-1.aliyuncs.com", "alibaba", "eu-west-1"),
        ("https://acct.eu.r2.cloudflarestorage.com", "r2", "eu"),
        ("https://acct.r2.cloudflarestorage.com", "r2", "automatic"),
        ("https://acct.fedramp.r2.cloudflarestorage.com", "r2", "fedramp"),
        ("https://s3.eu-central-003.backblazeb2.com", "backblaze", "eu-central-003"),
        ("https://xy12345.west-europe.azure.snowflakecomputing.com", "snowflake", "west-europe.azure"),
        ("https://europe-west4-aiplatform.googleapis.com", "gcp", "europe-west4"),
        ("https://us-central1-acme.cloudfunctions.net/fn", "gcp", "us-central1"),
        ("projects/acme/locations/us-central1/queues/q", "gcp", "us-central1"),
        ("https://westeurope.api.cognitive.microsoft.com", "azure", "westeurope"),
        ("redis://default:pw@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345", "aws", "us-east-1"),
        ("redis-14321.c2.us-central1-1.gce.redns.redis-cloud.com", "gcp", "us-central1"),
        ("rediss://redis-10000.c3.europe-west1-2.gce.cloud.redislabs.com:10000", "gcp", "europe-west1"),
    ],
)
def test_region_in_string(catalog, text, provider, rid):
    found = catalog.region_in_string(text)
    assert found is not None, text
    assert (found[0].provider, found[0].id) == (provider, rid)


@pytest.mark.parametrize(
    "text",
    [
        "https://s3.amazonaws.com/bucket",
        "http://minio:9000",
        "https://docs.aws.amazon.com/x#us-east-1",
        "us-east-1",
        "the us-east-1 region",
        "https://example.com/us-east-1",
        "https://acme.blob.core.windows.net",
    ],
)
def test_no_region_in_string(catalog, text):
    assert catalog.region_in_string(text) is None


def test_a_url_matched_by_a_pattern_is_shown_by_its_host_not_its_password(catalog):
    found = catalog.region_in_string(
        "redis://default:s3cr3t@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345/0"
    )
    assert found is not None
    assert found[1] == "redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com"


@pytest.mark.parametrize(
    "host, service, place",
    [
        ("o1.ingest.sentry.io", "sentry", "US"),
        ("o1.ingest.us.sentry.io", "sentry", "US"),
        ("o1.ingest.de.sentry.io", "sentry", "EU"),
        ("us.i.posthog.com", "posthog", "US"),
        ("eu.i.posthog.com", "posthog", "EU"),
        ("api.datadoghq.com", "datadog", "US"),
        ("api.ap1.datadoghq.com", "datadog", "JP"),
        ("api.datadoghq.eu", "datadog", "EU"),
        ("otlp.eu01.nr-data.net", "newrelic", "EU"),
        ("otlp.nr-data.net", "newrelic", "US"),
        ("rest.fra-01.braze.eu", "braze", "EU"),
    ],
)
def test_saas_hosts(catalog, host, service, place):
    hit = catalog.saas_host(host)
    assert hit is not None and (hit.service, hit.place) == (service, place)


@pytest.mark.parametrize("host", ["docs.sentry.io", "www.datadoghq.com", "sentry.example.eu", "posthog.com"])
def test_not_saas_endpoints(catalog, host):
    assert catalog.saas_host(host) is None


def test_bare_sentry_host_counts_only_in_a_dsn(catalog):
    hit = catalog.saas_host("sentry.io", "https://8d1b2c3@sentry.io/42")
    assert hit is not None and (hit.service, hit.place) == ("sentry", "US")
    assert catalog.saas_host("sentry.io", "https://sentry.io/organizations/acme/issues/") is None
    assert catalog.saas_host("sentry.io") is None
    assert catalog.saas_host("o1.ingest.sentry.io", "https://o1.ingest.sentry.io/api/2/envelope/").place == "US"


def test_host_of():
    assert host_of("https://key@o1.ingest.sentry.io/2") == "o1.ingest.sentry.io"
    assert host_of("s3.eu-west-1.amazonaws.com", bare=True) == "s3.eu-west-1.amazonaws.com"
    assert host_of("s3.eu-west-1.amazonaws.com") is None
    assert host_of("not a url") is None


def test_policy(catalog):
    default = Policy(catalog)
    assert default.region_allowed(catalog.lookup("aws", "eu-west-1"))
    assert not default.region_allowed(catalog.lookup("aws", "eu-west-2"))
    assert default.region_allowed(catalog.lookup("azure", "norwayeast"))  # EEA
    widened = Policy(catalog, ("EU", "EEA", "GB"), ("aws:us-east-1", "ap-south-1"))
    assert widened.region_allowed(catalog.lookup("aws", "eu-west-2"))
    assert widened.region_allowed(catalog.lookup("aws", "us-east-1"))
    assert not widened.region_allowed(catalog.lookup("gcp", "us-east1"))
    assert widened.region_allowed(catalog.lookup("aws", "ap-south-1"))
    adequacy = Policy(catalog, ("EU", "EEA", "adequacy"))
    assert adequacy.region_allowed(catalog.lookup("aws", "ap-northeast-1"))
    assert not adequacy.region_allowed(catalog.lookup("aws", "us-east-1"))
    assert not adequacy.region_allowed(catalog.lookup("r2", "automatic"))
    eea_only = Policy(catalog, ("EEA",))
    assert eea_only.region_allowed(catalog.lookup("aws", "eu-north-1"))  # EU countries are in the EEA


def _codes(source, table=None):
    findings, _ = analyse_text(source, table or {})
    return [(f.line, f.rule) for f in findings if f.rule.startswith("GDPR2")]


def test_message_names_region_place_policy_and_alternative():
    findings, _ = analyse_text('import boto3\ns3 = boto3.client("s3", region_name="us-east-1")\n')
    (finding,) = [f for f in findings if f.rule == "GDPR201"]
    assert finding.message == (
        'region "us-east-1" (AWS, N. Virginia, US) is outside the allowed jurisdictions (EU, EEA); '
        'e.g. "eu-west-1" (Ireland) keeps the data in the EU'
    )
    assert finding.facts["region"] == "us-east-1" and finding.facts["jurisdiction"] == "other"


def test_origin_is_named_at_the_call():
    source = (
        'import boto3\nREGION = "ap-southeast-2"\n\ndef make():\n    return boto3.client("s3", region_name=REGION)\n'
    )
    findings, _ = analyse_text(source)
    (finding,) = [f for f in findings if f.rule == "GDPR201"]
    assert finding.line == 5 and "REGION, line 2" in finding.message


def test_unknown_values_are_silent():
    assert _codes("import boto3\n\ndef make(region):\n    return boto3.client('s3', region_name=region)\n") == []


def test_settings_constant_is_reported_once():
    source = 'import boto3\nAWS_REGION = "us-east-1"\nclient = boto3.client("s3", region_name=AWS_REGION)\n'
    assert _codes(source) == [(2, "GDPR201")]


def test_opt_in_rule_is_off_by_default():
    source = 'import boto3\nclient = boto3.client("s3")\niam = boto3.client("iam")\n'
    assert _codes(source) == []
    assert _codes(source, {"select": ["GDPR2", "GDPR204"]}) == [(2, "GDPR204")]


def test_defaults_overridden_later_in_the_file_are_not_reported():
    source = 'from amplitude import Amplitude\nclient = Amplitude("key")\nclient.configuration.server_zone = "EU"\n'
    assert _codes(source) == []
    assert _codes('from amplitude import Amplitude\nclient = Amplitude("key")\n') == [(2, "GDPR202")]


def test_segment_module_config_with_eu_host_is_silent():
    source = (
        "import segment.analytics as analytics\n"
        'analytics.write_key = "k"\n'
        'analytics.host = "https://events.eu1.segmentapis.com"\n'
    )
    assert _codes(source) == []


def test_menu_of_regions_is_silent():
    source = 'REGIONS = ["https://s3.us-east-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com"]\n'
    assert _codes(source) == []


def test_snowflake_account_locator():
    source = (
        'import snowflake.connector\nconn = snowflake.connector.connect(account="xy12345.east-us-2.azure", user="u")\n'
    )
    assert _codes(source) == [(2, "GDPR201")]
    assert _codes(source.replace("east-us-2.azure", "eu-central-1")) == []
    assert _codes(source.replace("xy12345.east-us-2.azure", "myorg-myaccount")) == []


def test_atlas_region_in_a_json_body():
    source = (
        "import requests\n"
        'requests.post(url, json={"providerSettings": {"providerName": "AWS", "regionName": "US_EAST_1"}})\n'
    )
    assert _codes(source) == [(2, "GDPR201")]


def test_prefilter_tokens_cover_finding_starts():
    from conftest import make_settings

    settings = make_settings({})
    check = next(c for c in settings.checks if c.family == "residency")
    tokens = set(check.prefilter_tokens())
    for token in ("region_name", "amazonaws.com", "arn:aws", "boto3", "aws_s3_region_name", "ingest.sentry.io"):
        assert token in tokens, token


@pytest.mark.parametrize(
    "imports, expected",
    [
        ("from .base import env", [(2, "GDPR201")]),
        ("from ..settings.base import env", [(2, "GDPR201")]),
        ("from config.settings.base import env", [(2, "GDPR201")]),
        ("from acme.conf import env", [(2, "GDPR201")]),
        ("from .base import *", [(2, "GDPR201")]),
        # a name `env` from a module that is no settings module is not guessed to be a reader
        ("from deploy.tasks import env", []),
    ],
)
def test_environ_reader_imported_from_a_settings_module(imports, expected):
    source = f'{imports}\nAWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")\n'
    assert _codes(source) == expected


@pytest.mark.parametrize(
    "text, host",
    [
        ("prod:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRhYmMxMjMkZGVmNDU2", "us-east-1.aws.found.io"),
        ("eu:ZXVyb3BlLXdlc3QzLmdjcC5jbG91ZC5lcy5pbzo0NDMkYWJjJGRlZg==", "europe-west3.gcp.cloud.es.io"),
        ("user:c29tZXRoaW5nIGVsc2UgZW50aXJlbHk=", None),  # base64 of text with no `$`
        ("name:!!!notbase64!!!", None),
        ("name:ZZZZZZZZZZZZZZZZZ", None),  # bad padding
        ("https://x.es.us-east-1.aws.found.io", None),
        ("redis://user:pass@host:6379", None),
    ],
)
def test_elastic_cloud_id_names_its_host(text, host):
    from gdpr_lint.checks.residency_catalog import elastic_cloud_host

    assert elastic_cloud_host(text) == host
