"""The shortcuts taken for speed must give what the slow, public routes give.

Each test compares a fast path with the route it replaces, on the project's own fixtures
and sources (realistic code with comments, decorators, f-strings, CRLF and odd strings).
"""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from gdpr_lint import engine, prefilter
from gdpr_lint.config import Config
from gdpr_lint.settings import RunSettings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "gdpr_lint").rglob("*.py"))


@pytest.fixture(scope="module")
def token_filter():
    return RunSettings(Config()).prefilter


@pytest.mark.parametrize("path", SOURCES[::3], ids=lambda p: str(p.relative_to(ROOT)))
def test_positions_match_libcst_provider(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = engine._positions(module)
    assert len(got) == len(expected) > 0
    assert all(got[node] == expected[node] for node in expected)


def test_positions_count_crlf_and_lone_cr_lines():
    module = cst.parse_module("x = 1\r\ny = (\r  2)\nz = 3\n")
    positions = engine._positions(module)
    starts = [positions[stmt].start.line for stmt in module.body]
    assert starts == [1, 2, 4]


@pytest.mark.parametrize("literal", [
    r'"plain"', r'"a\nb"', r"'\x41\u20ac\N{BULLET}'", '"é\\t€"', r'"\d+"', '"""x\\\ny"""',
    r"'\101\0'", r'u"\\"', r'"\q"', r'"\'"', r"'''it\'s'''", r'"\N{NO SUCH NAME}"', r'"\x4"',
])
def test_string_values_match_python(literal):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = ast.literal_eval(literal)
    except (SyntaxError, ValueError):
        expected = None
    assert engine._simple_string(literal) == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_narrowed_filter_decides_blocks_as_the_full_one(path, token_filter):
    """Blocks are tested with a filter narrowed to the file's anchors: it must keep
    exactly the blocks the full filter keeps."""
    text = path.read_text(encoding="utf-8")
    if not token_filter.passes(text):
        return
    narrow = token_filter.narrowed(text)
    tree = ast.parse(text)
    lines = prefilter.python_lines(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or isinstance(node, ast.stmt):
            first, last = prefilter._span(node)
            block = "".join(lines[first - 1:last])
            assert narrow.passes(block) == token_filter.passes(block), (path, first)


def test_short_words_match_only_as_identifier_parts(token_filter):
    assert token_filter.passes("client_ip = request.META['REMOTE_ADDR']\nlog.info(client_ip)\n")
    assert not token_filter.passes("archive = zipfile.ZipFile(path)\nskip = True\n")
