"""The label a finding gives a login name: `user_name` spells one (a username), while a
person's `name` read from its owner (`user.name`) is the person's name."""

from conftest import FIXTURES, analyse_text, fixture_config


def test_login_name_labels():
    path = FIXTURES / "exposure" / "login_names.py"
    text = path.read_text(encoding="utf-8")
    findings, _ = analyse_text(text, fixture_config(text), path="exposure/login_names.py")
    labels = {f.line: f.message.split(" (", 1)[0] for f in findings}
    lines = text.splitlines()
    user_name = [n for n, line in enumerate(lines, 1) if "user_name" in line and "expect" in line]
    person = [n for n, line in enumerate(lines, 1) if "user.name" in line and "expect" in line]
    assert user_name and person
    assert all(labels[n] == "username" for n in user_name), labels
    assert all(labels[n] == "person's name" for n in person), labels
