"""Findings name the right thing: GDPR302 names the personal data stored, not the session id
in the key it is stored under."""

import textwrap

from conftest import analyse_text

STORE = textwrap.dedent("""\
    import redis

    r = redis.Redis()


    def remember(request, user):
        sid = request.session.session_key
        r.set(f"session-email:{sid}", user.email)


    def remember_token(session_id):
        r.set(f"session:{session_id}", "1")
""")


def test_gdpr302_names_the_stored_value_not_the_key():
    findings, _ = analyse_text(STORE, path="store.py")
    by_line = {f.line: f for f in findings if f.rule == "GDPR302"}
    assert by_line[8].message.startswith("email address (user.email) is stored in redis with no expiry")
    assert by_line[8].categories == ("email",)
    # only the key carries personal data: then the key is what is named
    assert by_line[12].message.startswith("credential (session_id) is stored")
