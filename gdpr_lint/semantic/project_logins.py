"""The names a project binds the login its authentication returns to.

A `user` string is, in most projects, nothing that says whose: an opaque id, a database role, an
OS account. In a calendar or mail server that checks passwords itself it is the login name of the
person who signed in: the request handler does `(user, info, groups) = self._auth.login(login,
password, context)` and hands `user` to every method that serves the request (`do_GET(environ,
base_prefix, path, user, ...)`, `authorization(self, user: str, ...)`), through dispatch no caller
analysis follows (`getattr(self, "do_%s" % method)`). What says so is in the project, not in the
word: the name is bound from a call given the login and the password, the authentication's answer.

This scan reads those bindings once per run: an assignment whose target is (or unpacks) a name of
[pii.request-sources] account-login-names and whose value is a call with a login name and a password
name given by position among its arguments (`user = auth.login(login, password) or ""`;
not `User(login=login, password="")`: see _given). analysis/account_uses.py then takes a
parameter of that name typed as a string (`user: str`, `Optional[str]`) for that login, anywhere in the project,
and so a parameter named as the login the call was given (`def groups(self, login: str)`); a `user: User` object
or an untyped one is judged as before. Only files spelling a password word and a line binding a
login name from a call are parsed; test code is left out.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, FrozenSet, Iterator, Optional

_MAX_BYTES = 2_000_000

# name -> the first binding from an authentication, as "path:line"
AuthenticatedLogins = Dict[str, str]


def authenticated_logins(index, vocab) -> AuthenticatedLogins:
    """Names of account-login-names the project binds from a call given a login and a password."""
    if index.local_only or not vocab.account_login_names or not vocab.account_password_names:
        return {}
    return index._tracked(("authenticated logins",), lambda: _scan(index, vocab)) or {}


def _line_pattern(logins: FrozenSet[str], passwords: FrozenSet[str]) -> "re.Pattern[bytes]":
    """A line binding a login name from a call that names a password: `user = x.login(login,
    password)`, `(user, info, groups) = ...(login, password, ...)`."""
    login = b"|".join(re.escape(w.encode()) for w in sorted(logins))
    password = b"|".join(re.escape(w.encode()) for w in sorted(passwords))
    return re.compile(
        rb"(?m)^[ \t]*[(\[]?[ \t]*(?:\w+[ \t]*,[ \t]*)*(?:"
        + login
        + rb")\b[^=\n]*=[^=\n][^\n]*\((?:[^\n]*[^\w.])?(?:"
        + password
        + rb")\b"
    )


def _scan(index, vocab) -> AuthenticatedLogins:
    from gdpr_lint.semantic.project_scan import project_modules

    logins = vocab.account_login_names
    passwords = vocab.account_password_names
    line = _line_pattern(logins, passwords)
    found: AuthenticatedLogins = {}
    words = sorted(w.encode() for w in passwords)
    for path, module in project_modules(index, words, _MAX_BYTES, lambda data: bool(line.search(data))):
        for name, lineno in authentications(module.tree, logins, passwords):
            found.setdefault(name, "%s:%d" % (path, lineno))
    return found


def authentications(tree: ast.AST, logins: FrozenSet[str], passwords: FrozenSet[str]) -> Iterator:
    """(login name, line) of each binding of a login name from a call given another login and a
    password, and of that other login (`user` and `login` of `user = auth.login(login, password)`)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        given = _given(node.value)
        if not given & passwords:
            continue
        answered = False
        for target in node.targets:
            elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            for element in elements:
                if isinstance(element, ast.Name) and element.id in logins and (given & logins) - {element.id}:
                    answered = True
                    yield element.id, node.lineno
        if answered:  # ... and the login it was given: the name the person typed, checked
            for name in sorted(given & logins):
                yield name, node.lineno


def _given(value: ast.expr) -> FrozenSet[str]:
    """The names a call (or `call(...) or default`, `call(...) if login else default`) is given
    by position: an authentication is asked `check(login, password)`. Keywords name a record's
    fields instead (`User(login=login, password="")`, `create_user(login=..., password=...)`),
    and a call given the target itself (`user = set_attributes(user, password=pw)`) answers
    with that object again: neither turns a login into the signed-in user."""
    call = _call(value)
    if call is None:
        return frozenset()
    return frozenset(a.id for a in call.args if isinstance(a, ast.Name))


def _call(value: ast.expr) -> Optional[ast.Call]:
    while True:
        if isinstance(value, ast.Await):
            value = value.value
        elif isinstance(value, ast.BoolOp):
            value = value.values[0]
        elif isinstance(value, ast.IfExp):
            value = value.body
        else:
            return value if isinstance(value, ast.Call) else None


def authenticated_names(project, vocab) -> Dict[str, str]:
    """`authenticated_logins` of the project being checked, each with where it is bound as the
    findings show paths; empty without a project."""
    if project is None or project.index.local_only:
        return {}
    found = project.ask(authenticated_logins, project.index, vocab)
    return {
        name: project.shown(where.rpartition(":")[0]) + ":" + where.rpartition(":")[2] for name, where in found.items()
    }
