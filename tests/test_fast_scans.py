"""Shortcuts of the cold scan (no result cache) must give what the walks they replace give:
each test compares a fast route with the slow one, on the project's own fixtures and sources
and on hand-made texts with the cases that could tell them apart."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from gdpr_lint.analysis.login_ids import _id_names
from gdpr_lint.semantic import spelled_lines
from gdpr_lint.semantic.ast_names import function_defs, statements
from gdpr_lint.semantic.form_fields import declared_fields

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "gdpr_lint").rglob("*.py"))


def _texts():
    for path in SOURCES:
        yield path.read_text(encoding="utf-8", errors="replace")


def test_id_names_are_what_the_whole_word_pattern_finds():
    pattern = re.compile(r"\b\w+(?:_ids?|Ids?|IDs?)\b")
    odd = (
        "_id x_id _ids __ID üser_id a.Id ___Ids éId 1_id _Id fooIDs foo_IDs x_ids_id userIdx user_idé "
        "a\u00b2_id \u0660_id student_id=rec['username']; authorId, member_ids(studentID) id Id ID"
    )
    for text in [odd, *_texts()]:
        assert _id_names(text) == pattern.findall(text)


def test_statement_walk_finds_every_statement_and_definition():
    for text in _texts():
        tree = ast.parse(text)
        walked = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]
        found = list(statements(tree))
        assert sorted(map(id, found)) == sorted(map(id, walked)) and len(found) == len(walked)
        defs = {id(n) for n in walked if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert {id(n) for n in function_defs(tree)} == defs


def test_statement_walk_goes_into_handlers():
    tree = ast.parse("try:\n    pass\nexcept E:\n    def a(): return 1\nfinally:\n    x = 1\n")
    assert [f.name for f in function_defs(tree)] == ["a"]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements parse from Python 3.10")
def test_statement_walk_goes_into_match_cases():
    tree = ast.parse("match v:\n    case 1:\n        async def b(): pass\n")
    assert [f.name for f in function_defs(tree)] == ["b"]


FORM = """
class SignupForm(forms.Form):
    email = forms.EmailField()

    @decorate(lambda form: form.fields)
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = PhoneField(widget=PhoneInput)
        if kwargs.get("extra"):
            self.fields[kwargs["extra"]] = forms.CharField()

    def clean(self):
        return self.cleaned_data


class OpenForm(forms.Form):
    def setup(form):
        form.fields.update({"a": forms.CharField()})


class PlainView(View):
    def get(self, request):
        return render(request, "page.html", {"fields": self.fieldsets})
"""


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_form_fields_are_the_same_with_the_spelled_lines(ending):
    text = FORM.replace("\n", ending)
    noted = ast.parse(text)
    spelled_lines.note(noted, text)
    lines = spelled_lines.lines_of(noted, "fields")
    if ending == "\r\n":
        assert lines is None  # (not known: each method is walked)
    else:
        assert lines == [5, 8, 10, 18, 23]  # `fields` as a word (in a string too), not `fieldsets`
    plain = ast.parse(text)
    for cls, bare in zip(noted.body, plain.body):
        assert isinstance(cls, ast.ClassDef) and isinstance(bare, ast.ClassDef)
        assert declared_fields(cls, lines) == declared_fields(bare)
    assert declared_fields(noted.body[0], lines)[0]["phone"] == ["PhoneField", "PhoneInput"]
    assert declared_fields(noted.body[1], lines) == ({}, True)


def test_spelled_lines_are_those_of_the_fixtures_words():
    for path in SOURCES:
        text = path.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
        spelled_lines.note(tree, text)
        lines = spelled_lines.lines_of(tree, "fields")
        if not text.isascii() or "\r" in text:
            assert lines is None
            continue
        expected = sorted({text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"\bfields\b", text)})
        assert lines == expected
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "fields":
                assert spelled_lines.spelled_between(lines, node.lineno, node.end_lineno or node.lineno)


def test_spelled_files_are_the_files_whose_bytes_hold_a_word(tmp_path):
    from gdpr_lint.semantic.spelled_files import SpelledFiles

    texts = {
        "a.py": b"def handler(request):\n    return get_user(request)\n",
        "b.py": b"x = 'get_user'  # in a string\nrehandle = 1\n",
        "c.py": "name = 'J\u00fcrgen'\nuser\u00e9 = handle\n".encode("utf-8"),
        "d.py": b"",
        "e.py": b"getuser=1;BaseFormSet(get)\r\n\tget_userx",
    }
    for name, data in texts.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in sorted(texts)] + [str(tmp_path / "gone.py")]
    spelled = SpelledFiles.make(paths)
    assert spelled is not None
    words = [b"handle", b"get_user", b"user", b"getuser", b"BaseFormSet", b"get", b"rgen", b"J", b"zzz", b"_"]
    corpus = [(str(p), p.read_bytes()) for p in sorted(tmp_path.iterdir())]
    for word in words:
        assert spelled.spellers([word]) == [p for p, data in corpus if word in data], word
    assert spelled.spellers([b"handle", b"zzz", b"BaseFormSet"]) == [
        p for p, data in corpus if b"handle" in data or b"BaseFormSet" in data
    ]
    # a word with another byte is not answered here: the asker reads every file
    assert spelled.spellers([b"get_user("]) is None
    assert spelled.spellers([b"J\xc3\xbcrgen"]) is None
    assert spelled.spellers([b""]) is None


def test_project_scan_spells_the_same_with_and_without_the_buffer(tmp_path):
    from gdpr_lint.semantic.project_scan import ProjectScan

    for number, text in enumerate(list(_texts())[:200]):
        (tmp_path / f"m{number}.py").write_text(text, encoding="utf-8")
    questions = [(b"handle",), (b"get_user", b"username"), (b"fields",), (b"self.fields",), (b"Field", b"zzq")]
    plain = ProjectScan([str(tmp_path)])
    plain._asked = -100  # never makes the buffer
    buffered = ProjectScan([str(tmp_path)])
    buffered.prepare_spellers()
    assert buffered._spelled is not None
    for words in questions:
        assert list(buffered.spelling(words, 400_000)) == list(plain.spelling(words, 400_000))
    assert plain._spelled is None
