"""semantic/callers.py: whether every call a project makes of a function passes a parameter."""

from gdpr_lint.semantic.callers import Callers


def project(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Callers([str(tmp_path)])


DEF = 'def send(data, url="https://api.example.com"):\n    pass\n'


def ask(callers, tmp_path, method=False):
    return callers.every_call_passes(str(tmp_path / "app" / "client.py"), "send", "url", 1, method)[0]


def test_every_call_passes_positionally_or_by_keyword(tmp_path):
    callers = project(
        tmp_path,
        {
            "app/client.py": DEF,
            "app/a.py": "from app.client import send\nsend(1, URL)\n",
            "app/b.py": "from app import client\nclient.send(1, url=URL)\n",
        },
    )
    assert ask(callers, tmp_path) == 2


def test_a_call_that_leaves_it_out_keeps_the_default(tmp_path):
    callers = project(
        tmp_path,
        {"app/client.py": DEF, "app/a.py": "from app.client import send\nsend(1, URL)\nsend(2)\n"},
    )
    assert ask(callers, tmp_path) is None


def test_spread_arguments_and_references_are_unknown(tmp_path):
    for caller in ("send(*args)\n", "send(1, **options)\n", "handlers = [send]\n"):
        callers = project(tmp_path, {"app/client.py": DEF, "app/a.py": "from app.client import send\n" + caller})
        assert ask(callers, tmp_path) is None, caller


def test_no_call_keeps_the_default_and_namesakes_do_not_count(tmp_path):
    callers = project(
        tmp_path,
        {"app/client.py": DEF, "other/mail.py": "def send(msg, host):\n    pass\n\nsend(1, 'x')\n"},
    )
    assert ask(callers, tmp_path) is None  # the only call is of another module's own send()


def test_methods_are_called_through_an_attribute_without_self(tmp_path):
    text = 'class C:\n    def send(self, data, url="https://api.example.com"):\n        pass\n'
    callers = project(tmp_path, {"app/client.py": text, "app/a.py": "import app.client\nc.send(1, URL)\n"})
    assert callers.every_call_passes(str(tmp_path / "app" / "client.py"), "send", "url", 2, True)[0] == 1
    callers = project(tmp_path, {"app/a.py": "import app.client\nc.send(1)\n"})
    assert callers.every_call_passes(str(tmp_path / "app" / "client.py"), "send", "url", 2, True)[0] is None
