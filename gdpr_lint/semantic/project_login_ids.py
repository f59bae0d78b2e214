"""The ids of people that the project itself says are login names.

A person's id is most often an opaque key (`user_id = user.pk`): nobody can be read from it.
But some projects key people by the name they sign in with: nbgrader's `student_id` is the
student's JupyterHub login (its exchange binds `student_id = rec['username']`, its submit
command `student_id = get_username()`), and every log line naming a `student_id` names a
student. Whether an id is one or the other is not in its name: it is in what the project
assigns to it. This scan reads those assignments once per run.

A binding is any place the project gives the name a value: `student_id = ...`, `self.student_id
= ...`, `info['student_id'] = ...`, a keyword `student_id=...`, a dict item `{'student_id':
...}`. Its value counts as a login when its own name says so (a `username` name, attribute or
key; `get_username()`; `getpass.getuser()`), as an opaque id when it is one (`x.id`, `x.pk`,
`row['uuid']`, `int(...)`, `uuid4()`; not `student.id`, which says only whose id it is). A name
counts as a login name when the logins outnumber the opaque ids (analysis/login_ids.py decides which names are asked).

Only the files with a line binding an id from a login word are read first (semantic/project_scan.py),
test code left out; when they bind a person's id from a login, every file spelling that name is read
for its other bindings. The files read are dependencies of every answer that asks.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, Iterator, List, Optional, Tuple

from gdpr_lint.analysis.names import split_words
from gdpr_lint.semantic.ast_names import dotted_tail

_MAX_BYTES = 2_000_000
# what a file must spell to bind an id from a login (only such files are parsed)
_LOGIN_SPELLINGS = (b"username", b"user_name", b"userName", b"getuser", b"getlogin", b"login")
# a line that binds an id from a login word (`student_id = rec['username']`, `"author_id":
# request.user.username`, `student_id=get_username()`)
_LOGIN_LINE = re.compile(
    rb"""(?i)\w(?:_?ids?)\b['"]?\]?\s*[:=][^=\n][^\n]*(?:username|user_name|getuser|getlogin|login)"""
)
_ID_WORDS = frozenset(("id", "ids"))
_OPAQUE_WORDS = frozenset(("id", "pk", "uuid", "guid"))
_OPAQUE_CALLS = frozenset(("int", "uuid1", "uuid4", "UUID", "ObjectId"))

# name -> (logins, opaque ids, the first login binding as "path:line")
LoginIds = Dict[str, Tuple[int, int, str]]


def login_ids(index, vocab) -> LoginIds:
    """The names (of variables, attributes, keys) the project binds from a login name, with
    how often it binds them from a login and from an opaque id. Read once per run."""
    return index._tracked(("login ids",), lambda: _scan(index, vocab)) or {}


def is_person_id(vocab, name: str) -> bool:
    """`student_id`, `authorId`: an id word right after a person noun that names a role, not
    the account itself (`user_id`: [pii.flow] account-id-nouns)."""
    words = [w.lower() for w in split_words(name)]
    if len(words) < 2 or words[-1] not in _ID_WORDS:
        return False
    noun = vocab.fold(words[-2])
    return noun in vocab.person_nouns and noun not in vocab.account_id_nouns  # not `user_id`


def _scan(index, vocab) -> LoginIds:
    if index.local_only:
        return {}
    from gdpr_lint.semantic.project_scan import project_modules

    # first the person's ids some line binds from a login word (most projects: none, and no
    # file is parsed twice); then every binding of those names, in every file that spells one
    candidates = set()
    for _, module in project_modules(index, _LOGIN_SPELLINGS, _MAX_BYTES, lambda data: bool(_LOGIN_LINE.search(data))):
        for name, value in _bindings(module.tree):
            if is_person_id(vocab, name) and _value_kind(vocab, value) == "login":
                candidates.add(name)
    if not candidates:
        return {}
    counts: Dict[str, List] = {}
    for path, module in project_modules(index, sorted(n.encode() for n in candidates), _MAX_BYTES):
        for name, value in _bindings(module.tree):
            kind = _value_kind(vocab, value) if name in candidates else None
            if kind == "opaque" and _own_id(name, value):
                continue  # `student_id = student.id`: the student's id, whatever it is
            if kind is None:
                continue
            entry = counts.setdefault(name, [0, 0, ""])
            if kind == "login":
                entry[0] += 1
                entry[2] = entry[2] or "%s:%d" % (path, value.lineno)
            else:
                entry[1] += 1
    return {name: (c[0], c[1], c[2]) for name, c in counts.items() if c[0]}


def _bindings(tree: ast.Module) -> Iterator[Tuple[str, ast.expr]]:
    """(bound name, value) of each binding whose value may say what the name holds."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                name = _target_name(target)
                if name:
                    yield name, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            name = _target_name(node.target)
            if name:
                yield name, node.value
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg:
                    yield keyword.arg, keyword.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.value, value


def _own_id(name: str, value: ast.expr) -> bool:
    """`student_id = student.id`, `nb.student.id`: the id of an object named by the noun of
    the id's name says only that it is that object's id, not what kind of id it is."""
    if not isinstance(value, ast.Attribute) or value.attr != "id":
        return False
    owner = value.value
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    words = [w.lower() for w in split_words(name)]
    return bool(owner_name) and owner_name.lower() == words[-2]


def _target_name(target: ast.expr) -> Optional[str]:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _value_kind(vocab, value: ast.expr) -> Optional[str]:
    """ "login", "opaque", or None when the value's form says neither."""
    name, key = _value_name(value)
    if name is None:
        return None
    if isinstance(value, ast.Call) and not key:
        dotted = dotted_tail(value.func)
        if name in _OPAQUE_CALLS:
            return "opaque"
        if vocab.sources.returns.get(dotted) == "username":
            return "login"
        from gdpr_lint.analysis.sources import getter_words

        words = getter_words(vocab, name)
        if words is None:
            return None
        name = "_".join(words[1:])
    if name.lower() in _OPAQUE_WORDS:
        return "opaque"
    return "login" if vocab.classify(name, key=key) == "username" else None


def _value_name(value: ast.expr) -> Tuple[Optional[str], bool]:
    """(the name a value is read by, whether it is a key): `username`, `rec.username`,
    `rec['username']`, `rec.get('username')`, `get_username()`."""
    if isinstance(value, ast.Name):
        return value.id, False
    if isinstance(value, ast.Attribute):
        return value.attr, False
    if isinstance(value, ast.Subscript):
        key = value.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, True
        return None, False
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and value.args:
            first = value.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value, True
        if isinstance(func, ast.Attribute):
            return func.attr, False
        if isinstance(func, ast.Name):
            return func.id, False
    return None, False
