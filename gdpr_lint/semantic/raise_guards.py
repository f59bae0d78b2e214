"""When a call cannot reach a `raise`: what the raise's own tests ask of the function's
parameters, and what the caller already knows of the arguments it passes.

`remove_member(self, username)` raises `UnknownMember(username)` under `if username not in
self._members`: the raise is about a name that is not there. A caller that looked the name up
first and goes on only when it was found (`member = registry.find_member(username)`, then `if
member is None: abort(404)` before `registry.remove_member(username)`) never reaches it. Likewise
`enrol(self, username, replace=False)` raises `MemberExists(username)` under `if username in
self._members and not replace`: a call passing `replace=True` never does, and neither does one
made only after a look-up of the name found nothing.

semantic/catching_callers.py asks this for each call of the raising function: such a call is no
path to the raise's text. What counts as the caller's knowledge is narrow on purpose: a look-up
on the same object the call is made on (`registry.find_member(username)` before
`registry.remove_member(username)`; `self.find(...)` before `self.rename(...)`), given the same
argument expression, whose result the caller tests for None or truth in an `if` around the call
or in an earlier `if` of the same block that leaves (`return`, `raise`, `abort(...)`); and
constants the call passes. Everything with CPython's `ast`, on the trees of the project scan.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Tuple

from gdpr_lint.semantic.callers import passed_argument

MISSING, PRESENT = "missing", "present"

# (parameter, its position among the parameters a call passes, what the raise needs of it):
# "truthy"/"falsy"/"none"/"not-none" for a constant; MISSING/PRESENT for a looked-up key
Need = Tuple[str, Optional[int], str]


def raise_needs(tree: ast.Module, parents: Dict[int, ast.AST], line: int) -> Tuple[Need, ...]:
    """What the `raise` on `line` needs of its function's parameters to be reached: () when
    nothing is known (no test around it names a parameter). `parents`: the project scan's
    parent map of `tree` (ScannedModule.parents)."""
    found = _function_with_raise(tree, parents, line)
    if found is None:
        return ()
    function, raise_node, parents, method = found
    rebound = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    params = {name: position for name, position in _params(function, method).items() if name not in rebound}
    lookups = _lookups(function, params)
    needs: List[Need] = []
    for test, truth in _tests_around(raise_node, function, parents):
        for item, value in _facts(test, truth):
            need = _need(item, value, params, lookups)
            if need is not None:
                name, what = need
                needs.append((name, params.get(name), what))
    return tuple(dict.fromkeys(needs))


def cannot_reach(call: ast.Call, needs: Tuple[Need, ...], parents: Dict[int, ast.AST], shift: int) -> bool:
    """Whether the call passes an argument that rules one of `needs` out: a constant of the
    other kind, or a key the caller looked up on the same object and found (or did not find)."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Name) and first.id in ("self", "cls"):
        return False  # `Base.method(self, ...)`: which parameter each argument is, is not sure
    for param, position, what in needs:
        arg = passed_argument(call, param, position, -shift)  # (`shift` counts a bound `self` the other way)
        if arg is None:
            continue
        if isinstance(arg, ast.Constant):
            if _constant_rules_out(arg.value, what):
                return True
            continue
        if what in (MISSING, PRESENT):
            known = _known_lookup(call, arg, parents)
            if known is not None and known != what:
                return True
    return False


# ---- the raising function ---------------------------------------------------------------


def _function_with_raise(tree: ast.Module, parents: Dict[int, ast.AST], line: int):
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.lineno == line:
            scope = parents.get(id(node))
            while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope = parents.get(id(scope))
            if scope is None:
                return None
            method = isinstance(parents.get(id(scope)), ast.ClassDef) and not any(
                isinstance(d, ast.Name) and d.id == "staticmethod" for d in scope.decorator_list
            )
            return scope, node, parents, method
    return None


def _params(function, method: bool) -> Dict[str, Optional[int]]:
    """Each parameter and its position among what a call passes (None: keyword-only)."""
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if method and positional:
        positional = positional[1:]
    out: Dict[str, Optional[int]] = {name: index for index, name in enumerate(positional)}
    out.update({a.arg: None for a in args.kwonlyargs})
    return out


def _lookups(function, params: Dict[str, Optional[int]]) -> Dict[str, str]:
    """Names the function assigns once, from a look-up of a parameter (`user = self._users.get(
    username)`, `user = self.find_user(username)`, `user = self._users[username]`): name ->
    the parameter."""
    out: Dict[str, str] = {}
    for name, value in _assigned_once(function).items():
        key = _looked_up(value)
        if key is not None and key in params and name not in params:
            out[name] = key
    return out


def _assigned_once(function) -> Dict[str, ast.expr]:
    """The names a function binds exactly once, by a plain `name = value` (not a parameter):
    name -> value."""
    return {name: values[0] for name, values in _assigned(function).items() if len(values) == 1}


def _assigned(function) -> Dict[str, List[ast.expr]]:
    """The names a function binds only by plain `name = value` statements (not a parameter,
    a loop, a `with`, an unpacking...): name -> the values, in no particular order."""
    args = function.args
    stores: Dict[str, int] = {a.arg: 1 for a in args.posonlyargs + args.args + args.kwonlyargs}
    values: Dict[str, List[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values.setdefault(node.targets[0].id, []).append(node.value)
    return {name: found for name, found in values.items() if stores.get(name) == len(found)}


def _looked_up(value: ast.expr) -> Optional[str]:
    """The parameter a look-up expression is keyed by: `x.get(p)`, `x.find(p)`, `x[p]`."""
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Name):
        return value.slice.id
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        for arg in list(value.args[:1]) + [k.value for k in value.keywords]:
            if isinstance(arg, ast.Name):
                return arg.id
    return None


def _tests_around(node: ast.AST, function, parents) -> Iterator[Tuple[ast.expr, bool]]:
    """(test, the truth it has where `node` is) for each `if` of the function around it."""
    child, current = node, parents.get(id(node))
    while current is not None and current is not function:
        if isinstance(current, ast.If):
            if any(child is stmt for stmt in current.body):
                yield current.test, True
            elif any(child is stmt for stmt in current.orelse):
                yield current.test, False
        child, current = current, parents.get(id(current))


def _facts(test: ast.expr, truth: bool) -> Iterator[Tuple[ast.expr, bool]]:
    """The parts of a test each surely true or false where its truth is `truth`: every operand
    of a true `and`, of a false `or`, and through `not`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        yield from _facts(test.operand, not truth)
    elif isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) == truth:
        for value in test.values:
            yield from _facts(value, truth)
    elif not isinstance(test, ast.BoolOp):
        yield test, truth


def _need(item: ast.expr, truth: bool, params, lookups) -> Optional[Tuple[str, str]]:
    """What one fact at the raise needs of a parameter: (parameter, kind)."""
    if isinstance(item, ast.Name):
        if item.id in params:
            return item.id, "truthy" if truth else "falsy"
        if item.id in lookups:
            return lookups[item.id], PRESENT if truth else MISSING
        return None
    if isinstance(item, ast.Compare) and len(item.ops) == 1:
        op, left, right = item.ops[0], item.left, item.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(left, ast.Name) and left.id in params:
            present = isinstance(op, ast.In) == truth
            return left.id, PRESENT if present else MISSING
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Constant) and right.value is None:
            is_none = isinstance(op, ast.Is) == truth
            if isinstance(left, ast.Name) and left.id in params:
                return left.id, "none" if is_none else "not-none"
            if isinstance(left, ast.Name) and left.id in lookups:
                return lookups[left.id], MISSING if is_none else PRESENT
    return None


# ---- the calling function ---------------------------------------------------------------


def _constant_rules_out(value, what: str) -> bool:
    if what == "truthy":
        return not value
    if what == "falsy":
        return bool(value)
    if what == "none":
        return value is not None
    if what == "not-none":
        return value is None
    return False


def _known_lookup(call: ast.Call, arg: ast.expr, parents: Dict[int, ast.AST]) -> Optional[str]:
    """PRESENT or MISSING when the caller looked `arg` up on the object the call is made on
    and tested the result where the call is; else None."""
    if not isinstance(call.func, ast.Attribute):
        return None
    receiver = ast.dump(call.func.value)
    key = ast.dump(arg)
    function = parents.get(id(call))
    while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        function = parents.get(id(function))
    if function is None:
        return None
    results = _results_of_lookups(function, receiver, key)
    for test, truth in _known_tests(call, function, parents):
        for item, value in _facts(test, truth):
            known = _lookup_fact(item, value, receiver, key, results)
            if known is not None:
                return known
    return None


def _is_lookup(value: ast.expr, receiver: str, key: str) -> bool:
    """`receiver.method(..., key, ...)`: a call on the same object given the same key."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
        return False
    if ast.dump(value.func.value) != receiver:
        return False
    return any(ast.dump(a) == key for a in list(value.args) + [k.value for k in value.keywords])


def _results_of_lookups(function, receiver: str, key: str) -> frozenset:
    """Names the caller assigns only from look-ups of `key` on `receiver` (`user = manager.
    find_user(name)`, perhaps again after adding it): testing one tests that the key is there."""
    return frozenset(
        name
        for name, values in _assigned(function).items()
        if all(_is_lookup(value, receiver, key) for value in values)
    )


def _known_tests(call: ast.AST, function, parents) -> Iterator[Tuple[ast.expr, bool]]:
    """(test, its truth at the call): the `if`s around the call, and the earlier `if`s of each
    enclosing block whose body always leaves (then their test was false)."""
    child, current = call, parents.get(id(call))
    while current is not None:
        if isinstance(current, ast.If):
            if any(child is stmt for stmt in current.body):
                yield current.test, True
            elif any(child is stmt for stmt in current.orelse):
                yield current.test, False
        for field in ("body", "orelse", "finalbody"):
            block = getattr(current, field, None)
            if isinstance(block, list) and any(child is stmt for stmt in block):
                for stmt in block[: [id(s) for s in block].index(id(child))]:
                    if isinstance(stmt, ast.If) and not stmt.orelse and _leaves(stmt.body):
                        yield stmt.test, False
        if current is function:
            break
        child, current = current, parents.get(id(current))


def _leaves(body: List[ast.stmt]) -> bool:
    """A block whose last statement leaves it: `return`, `raise`, `continue`, `break`, or a
    call of `abort`/`exit` (Flask's and the process's)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in _LEAVING_CALLS
    return False


_LEAVING_CALLS = frozenset(("abort", "exit", "_exit"))


def _lookup_fact(item: ast.expr, truth: bool, receiver: str, key: str, results: frozenset) -> Optional[str]:
    """What one fact at the call says of the key: PRESENT, MISSING or None."""
    if isinstance(item, ast.Name) and item.id in results:
        return PRESENT if truth else MISSING
    if _is_lookup(item, receiver, key):
        return PRESENT if truth else MISSING
    if isinstance(item, ast.Compare) and len(item.ops) == 1:
        op, left, right = item.ops[0], item.left, item.comparators[0]
        if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Constant) and right.value is None:
            if (isinstance(left, ast.Name) and left.id in results) or _is_lookup(left, receiver, key):
                is_none = isinstance(op, ast.Is) == truth
                return MISSING if is_none else PRESENT
    return None
