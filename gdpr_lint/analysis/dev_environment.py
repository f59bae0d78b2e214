"""Code that provisions a developer's own environment: the people it handles are fixtures.

`devstack_api.py` ("Helper functions for devstack provisioning of enterprise test data") and the
seed command built on it create the users, customers and enrollments a local development stack
needs and log each as they go (`LOGGER.info("Created user: %s", username)`): the names are the
developer's fixtures (typed on the command line or made up), not anyone's data. Unlike
analysis/generated.py (a file that makes its people from literals) such code builds them from
parameters and reads them back from the database, so what decides is what the module says it is
for ([confidence.development] in rules/confidence.toml):

- its own words (the words of its file name and of its docstring's first sentence) name a development environment
  (one of `environments`: `devstack`, `local development`) and what it puts there (one of
  `contents`: `test data`, `fixtures`, `seed`, `provisioning`);
- or it is a command (a file under one of `command-dirs`, or one with a `__main__` guard) that
  imports from a module whose name names a development environment (`from
  enterprise.devstack_api import get_or_create_user`): a command built on those helpers is one of
  the environment's tools.

Then its GDPR1xx findings of people's data are reported at confidence low, the reason in
`facts.confidence_reason`. Credentials stay as they are: a token minted in a developer's
environment still opens it (a dev-login command printing a JWT is reported).
"""

from __future__ import annotations

import ast
import re
from typing import Iterable, Optional, Sequence

from gdpr_lint.analysis.names import split_words

_WORDS = re.compile(r"[a-z]+|\d+")
_SENTENCE = re.compile(r"\.\s|\n\s*\n")


def development_role(text: str, path: str, tables: dict) -> Optional[str]:
    """The reason the file is a development environment's provisioning code, or None.
    Cheap for most files: it parses only a file whose words include an environment's."""
    spec = tables.get("confidence", {}).get("development", {})
    environments = tuple(spec.get("environments", ()))
    if not environments:
        return None
    lowered = text.lower()
    spelled = [e for e in environments if _spelled(e, lowered)]
    if spelled:  # each word spelled somewhere: is each one a word of the text?
        text_words = _text_words(text, lowered)
        spelled = [e for e in spelled if all(word in text_words for word in e.split())]
    if not spelled:
        return None
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    name = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    summary = _SENTENCE.split((ast.get_docstring(module) or "").strip(), 1)[0]  # what the module is for
    own = " ".join(split_words(name) + tuple(_WORDS.findall(summary.lower())))
    environment = _said(own, environments)
    content = _said(own, spec.get("contents", ()))
    if environment and content:
        return (
            f"the module says it provisions a development environment ('{environment}', '{content}'): "
            "the people it handles are the developer's fixtures"
        )
    if not _is_command(module, path, spec.get("command-dirs", ())):
        return None
    for node in module.body:
        if type(node) is ast.ImportFrom and node.module:
            words = " ".join(w for part in node.module.split(".") for w in split_words(part)).lower()
            found = _said(words, environments)
            if found:
                return (
                    f"a command built on the helpers of {node.module} (a '{found}' module, a development "
                    "environment's): the people it handles are the developer's fixtures"
                )
    return None


def _spelled(phrase: str, lowered: str) -> bool:
    return all(word in lowered for word in phrase.split())


_IDENTIFIER = re.compile(r"\w+")


def _text_words(text: str, lowered: str) -> frozenset:
    """The words of the text as the module's own words are read below: the runs of letters
    (its docstring's words) and the parts of its identifiers (an import's module name), so
    that "dev" and "environment" inside `device` and `environ` do not make a file one to
    parse (any file naming both passed the substring test)."""
    return frozenset(_WORDS.findall(lowered)).union(*(split_words(token) for token in set(_IDENTIFIER.findall(text))))


def _said(words: str, phrases: Iterable[str]) -> Optional[str]:
    """The first phrase whose words occur in `words` (space-separated, lower case), in order."""
    padded = f" {words} "
    return next((p for p in phrases if f" {p} " in padded), None)


def _is_command(module: ast.Module, path: str, command_dirs: Sequence[str]) -> bool:
    folders = [p.lower() for p in path.replace("\\", "/").split("/")[:-1]]
    if any(folder in command_dirs for folder in folders):
        return True
    for node in module.body:  # `if __name__ == "__main__":`
        test = node.test if type(node) is ast.If else None
        if type(test) is ast.Compare and type(test.left) is ast.Name and test.left.id == "__name__":
            return True
    return False
