"""What a branch says of names: empty or not found on one side of an `if`, rejected by a
parser or not found by a lookup in a `try`'s handler, forgotten when bound anew.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from gdpr_lint.analysis.flow import UNKNOWN
from gdpr_lint.analysis.names import split_words
from gdpr_lint.engine.context import Context
from gdpr_lint.syntax.nodes import (
    _last_name,
    dotted_name,
)


def _sole_value(stmt, kinds):
    """The value of a block's only statement (`try:` with one line), when it is one of `kinds`
    (an assignment, an expression, a return); else None."""
    body = stmt.body
    if type(body) is not cst.IndentedBlock or len(body.body) != 1:
        return None
    line = body.body[0]
    if type(line) is not cst.SimpleStatementLine or len(line.body) != 1:
        return None
    small = line.body[0]
    return getattr(small, "value", None) if type(small) in kinds else None


_BROAD = ("Exception", "BaseException")
_NORMALIZERS = ("strip", "lstrip", "rstrip", "lower", "upper", "casefold")


def _normalized_from(value) -> str:
    """The name a value is a normalised copy of (`str(x).strip()`, `x.lower()`, `str(x).strip()
    if x else "default"`), else ""."""
    for _ in range(6):
        t = type(value)
        if t is cst.Name:
            return value.value
        if t is cst.IfExp and type(value.orelse) is cst.SimpleString:
            value = value.body
        elif t is cst.Call and type(value.func) is cst.Name and value.func.value == "str" and len(value.args) == 1:
            value = value.args[0].value
        elif t is cst.Call and type(value.func) is cst.Attribute and value.func.attr.value in _NORMALIZERS:
            value = value.func.value
        else:
            return ""
    return ""


def _exits(suite) -> bool:
    """Whether a block always leaves: its last statement returns, raises, continues or breaks."""
    last: Any = suite.body[-1] if type(suite) is cst.IndentedBlock and suite.body else None
    if type(suite) is cst.SimpleStatementSuite:
        last = suite
    if type(last) not in (cst.SimpleStatementLine, cst.SimpleStatementSuite) or not last.body:
        return False
    return type(last.body[-1]) in (cst.Return, cst.Raise, cst.Continue, cst.Break)


class BranchFactsMixin(Context):
    """Facts about names that hold on one branch of the walk."""

    def _normalized(self, facts: frozenset) -> frozenset:
        """The facts, and what a shape fact says of the name a normalised copy was made of
        (`group = str(recipient).strip() if recipient else "admins"` / `if "@" in group: return`:
        recipient has no "@" either; str, strip and lower keep or drop no "@")."""
        found = set()
        for name, category in facts:
            if category is None or category == UNKNOWN or "." in name:
                continue
            binding = self.scope.bindings.get(name)
            source = _normalized_from(binding.value if binding is not None else None)
            kept = next((k for c, k in self.vocab.shape_marks.values() if c == category), frozenset())
            if source and source != name and kept.isdisjoint(w.lower() for w in split_words(source)):
                found.add((source, category))
        return facts | found if found else facts

    def _not_found(self, facts: frozenset) -> frozenset:
        """The facts, and for a name known empty that a lookup returned (`session =
        store.get_session(session_id)` / `if not session:`), that the keys it was looked up by
        name nothing stored (UNKNOWN: an unknown session id authenticates nothing)."""
        found = set()
        for name, category in facts:
            if category is not None or "." in name:
                continue
            binding = self.scope.bindings.get(name)
            value = binding.value if binding is not None else None
            if type(value) is cst.Await:
                value = value.expression
            if type(value) is not cst.Call:
                continue
            verb = _last_name(value.func)
            words = split_words(verb)
            if not words or words[0] not in self.vocab.sources.getter_verbs:
                continue
            for arg in value.args:
                key = dotted_name(arg.value) if arg.keyword is None else None
                if key:
                    found.add((key, UNKNOWN))
        return facts | found if found else facts

    def _forget_assigned(self, stmt) -> None:
        """A name bound anew holds another value: what a branch said of it no longer holds."""
        names: set = set()
        for small in stmt.body:
            targets = []
            if type(small) is cst.Assign:
                targets = [t.target for t in small.targets]
            elif type(small) in (cst.AnnAssign, cst.AugAssign):
                targets = [small.target]
            names.update(dotted_name(t) for t in targets)
        if names & {name for name, _ in self.empty_names}:
            self.empty_names = frozenset(f for f in self.empty_names if f[0] not in names)

    def _rejected_by_parser(self, stmt) -> frozenset:
        """(name, category) for a `try` whose body is one statement that parses a value
        (`ip = ipaddress.ip_address(source_ip)`, [pii.flow] parsers): its handler of the parse
        error runs when the value is no such thing (an unparsable text is no IP address)."""
        parsers = self.vocab.parsers
        value = _sole_value(stmt, (cst.Assign, cst.AnnAssign, cst.Expr)) if parsers else None
        if type(value) is not cst.Call:
            return frozenset()
        category = parsers.get(self.resolve_call(value.func) or "")
        if category is None or not value.args or value.args[0].keyword is not None:
            return frozenset()
        name = dotted_name(value.args[0].value)
        return frozenset(((name, category),)) if name else frozenset()

    def _failed_lookup(self, stmt) -> frozenset:
        """(key, UNKNOWN) for a `try` whose body is one lookup by key (`session = await
        self.store.get_session(session_id)`): its handler of a lookup error runs when the key
        names nothing stored."""
        value = _sole_value(stmt, (cst.Assign, cst.AnnAssign, cst.Expr, cst.Return))
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is not cst.Call:
            return frozenset()
        words = split_words(_last_name(value.func))
        if not words or words[0] not in self.vocab.sources.getter_verbs:
            return frozenset()
        keys = (dotted_name(a.value) for a in value.args if a.keyword is None)
        return frozenset((key, UNKNOWN) for key in keys if key)

    def _catches_parse_error(self, handler) -> bool:
        caught = handler.type
        if caught is None:
            return True
        names = [e.value for e in caught.elements] if type(caught) is cst.Tuple else [caught]
        return all(_last_name(n) in self.vocab.parse_errors for n in names)
