"""Sources of personal data named by how a value is obtained (rules/pii_sources.toml): a file
whose only sign of personal data is one of the new words or calls must pass the pre-filter and
be reported, with the pre-filter as without it."""

import pytest

from conftest import analyse_text

# (module text, the rule and line expected): each holds no word of rules/pii.toml's phrases
ONLY_NEW_WORDS = [
    ("import getpass\n\ndef login():\n    secret = getpass.getpass()\n    print(secret)\n", ("GDPR102", 5)),
    ("from getpass import getpass\n\ndef ask():\n    print(getpass())\n", ("GDPR102", 4)),
    ("import click\n\ndef ask():\n    pin = click.prompt('PIN', hide_input=True)\n    print(pin)\n", ("GDPR102", 5)),
    (
        "import logging\nlog = logging.getLogger(__name__)\n\ndef pay(emp):\n    log.info('%s', fetch_salary(emp))\n",
        ("GDPR101", 5),
    ),
    ("def show(customer):\n    print(customer.postcode)\n", ("GDPR102", 2)),
    ("def show(row):\n    print(row.accountNo)\n", ("GDPR102", 2)),
    ("def refund(ccn):\n    raise ValueError(f'refund failed for {ccn}')\n", ("GDPR103", 2)),
    ("from app.conf import settings_value\n\ndef boot():\n    print(settings_value('FERNET_KEY'))\n", ("GDPR102", 4)),
    ("from settings import passwd as pw\n\n\ndef debug():\n    print(pw)\n", ("GDPR102", 5)),
    ("reveal = get_passwd\n\n\ndef debug():\n    print(reveal())\n", ("GDPR102", 5)),
]


@pytest.mark.parametrize("text, expected", ONLY_NEW_WORDS)
def test_new_sources_pass_the_prefilter(text, expected):
    with_filter, _ = analyse_text(text, use_prefilter=True)
    without, _ = analyse_text(text, use_prefilter=False)
    assert [(f.rule, f.line) for f in with_filter] == [expected]
    assert [f.to_dict() for f in with_filter] == [f.to_dict() for f in without]


def test_module_secret_literal_is_named_not_shown():
    """A module-level secret literal is named in the message by its variable, not shown."""
    text = 'SIGNING_KEY = "k3y-9f8e7d6c5b4a"\n\ndef show():\n    print(SIGNING_KEY)\n'
    findings, _ = analyse_text(text)
    assert [(f.rule, f.line) for f in findings] == [("GDPR102", 4)]
    assert "k3y-9f8e7d6c5b4a" not in findings[0].message
    assert "SIGNING_KEY" in findings[0].message


@pytest.mark.parametrize(
    "prompt",
    [
        "Continue? [y/n] ",
        "Delete all tokens? ",
        "Name: ",
        "Label for the token list: ",
        "Number of passwords to generate: ",
    ],
)
def test_prompts_that_ask_for_no_data(prompt):
    # logged, not printed: an answer printed back on the terminal it was typed at is low anyway
    text = f"import logging\ndef ask():\n    answer = input({prompt!r})\n    logging.info('token %s', answer)\n"
    findings, _ = analyse_text(text)
    assert findings == []


@pytest.mark.parametrize(
    "prompt, category",
    [
        ("Password: ", "credential"),
        ("Password for %s (again): ", "credential"),
        ("Enter your email address: ", "email"),
        ("Phone number", "phone"),
    ],
)
def test_prompts_that_ask_for_data(prompt, category):
    text = f"import logging\ndef ask():\n    answer = input({prompt!r})\n    logging.info(answer)\n"
    findings, _ = analyse_text(text)
    assert [f.categories for f in findings] == [(category,)]
