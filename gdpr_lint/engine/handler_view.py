"""What an `except` handler sees of the names its `try` body assigns.

An assignment binds its name only once its value is computed. When it is the last statement of
the `try` body (or the last of each branch of an `if` that is), nothing after it can raise: a
handler runs only because the value or something before it raised, so the name still holds
what it held before the `try`:

    text = template                    # the webhook's template, with its `{user}` placeholders
    try:
        text = template.format(**tags)  # KeyError: `text` is still the template
    except KeyError:
        log.warning("bad template %s", text)

    mezzanine_user = options["user"]    # the operator's option
    try:
        mezzanine_user = User.objects.get(username=mezzanine_user)
    except User.DoesNotExist:
        raise CommandError("Invalid user: %s" % mezzanine_user)

A name the body also assigns elsewhere (or that an earlier statement of it may have bound) is
left as the walk found it; so is every name after the handlers (the body may have completed)."""

from __future__ import annotations

from collections import Counter
from typing import Dict, FrozenSet, Iterator, Sequence

import libcst as cst

from gdpr_lint.syntax.nodes import _target_names, child_nodes, nodes_under

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def _statements(suite) -> Sequence:
    if type(suite) is cst.IndentedBlock:
        return suite.body
    return (suite,) if suite is not None else ()


def _last_assigned(statements: Sequence) -> Iterator[str]:
    """The names the last statement of `statements` assigns, when it is a plain assignment of
    one name, or an `if` each of whose branches ends so (the names of every branch)."""
    if not statements:
        return
    last = statements[-1]
    t = type(last)
    if t is cst.SimpleStatementLine or t is cst.SimpleStatementSuite:
        small = last.body[-1] if last.body else None
        if type(small) is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
            yield small.targets[0].target.value
        elif type(small) is cst.AnnAssign and small.value is not None and type(small.target) is cst.Name:
            yield small.target.value
    elif t is cst.If:
        yield from _last_assigned(_statements(last.body))
        orelse = last.orelse
        if type(orelse) is cst.If:
            yield from _last_assigned((orelse,))
        elif orelse is not None:
            yield from _last_assigned(_statements(orelse.body))


def _assignment_counts(body) -> Counter:
    """How many times the block assigns each name (not inside nested functions or classes)."""
    counts: Counter = Counter()
    stack = list(_statements(body))
    while stack:
        node = stack.pop()
        t = type(node)
        if t in _SCOPES:
            continue
        if t is cst.Assign:
            for target in node.targets:
                counts.update(_target_names(target.target))
        elif t in (cst.AnnAssign, cst.AugAssign):
            counts.update(_target_names(node.target))
        elif t is cst.For or t is cst.CompFor:
            counts.update(_target_names(node.target))
        elif t is cst.AsName:
            counts.update(_target_names(node.name))
        elif t is cst.NamedExpr:
            counts.update(_target_names(node.target))
        elif t in (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Del):
            for inner in nodes_under(node):  # bound some other way: never "assigned only last"
                if type(inner) is cst.Name:
                    counts[inner.value] += 2
            continue
        stack.extend(child_nodes(node))
    return counts


def unbound_in_handlers(try_stmt) -> FrozenSet[str]:
    """The names a handler of `try_stmt` sees as they were before it: assigned by its body only
    in the body's final position (see the module's docstring)."""
    statements = _statements(try_stmt.body)
    finals = Counter(_last_assigned(statements))
    if not finals:
        return frozenset()
    counts = _assignment_counts(try_stmt.body)
    return frozenset(name for name, n in finals.items() if counts.get(name, 0) == n)


class HandlerView:
    """The bindings to show the handlers of one `try`, and to restore after each."""

    def __init__(self, names: FrozenSet[str], bindings: Dict) -> None:
        self.before = {name: bindings[name] for name in names if name in bindings}
        self.after: Dict = {}
        self.saved: FrozenSet[str] = frozenset()

    def body_done(self, bindings: Dict) -> None:
        self.after = {name: bindings.get(name) for name in self.before}

    def enter(self, ctx) -> None:
        """Before a handler: its names as before the `try` (ctx.before_try says which)."""
        for name, binding in self.before.items():
            ctx.scope.bindings[name] = binding
        self.saved = ctx.before_try
        ctx.before_try = self.saved | frozenset(self.before)

    def leave(self, ctx) -> None:
        bindings = ctx.scope.bindings
        ctx.before_try = self.saved
        for name, binding in self.before.items():
            if bindings.get(name) is binding and self.after.get(name) is not None:
                bindings[name] = self.after[name]  # the handler left it: the body's, as before
