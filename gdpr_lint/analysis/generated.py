"""Made-up people: a command or module that generates the people it handles.

A command that fills a database with test content (`add_test_content`, `seed_demo_users`) creates
its users from literals, constants and counters (`"test_user_%s" % i`, `"joe@example.com"`) and
prints them as it goes: no person's data is exposed. The file is judged whole, from what its own
words and code say ([confidence.generated] in rules/confidence.toml):

- its file name says it makes test, fake, sample or seed content;
- every person it creates (a call of `creates`: `create_user(...)`) is built only from literals,
  module constants, format strings and loop counters (a value typed on the command line or read
  from a file is somebody's);
- it reads no person from a store (no call of `reads`: `User.objects.filter(...)`,
  `session.query(...)`): a command that prints records read from the database prints real people.

Then its GDPR1xx findings are reported at confidence low, the reason in
`facts.confidence_reason`. Everything else about the file is judged as anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Iterator, Optional

from gdpr_lint.analysis.names import split_words

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst


def made_up_people(text: str, path: str, tables: dict) -> Optional[str]:
    """The reason the file's people are made up, or None when they may be real. The walk
    sees only the parts of a file that can matter; this judges the whole file, so it parses
    the text again, only for a file that has findings and whose name says it makes content."""
    spec = tables.get("confidence", {}).get("generated", {})
    words = spec.get("file-words", ())
    if not words:
        return None
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    said = next((w for w in words if w in split_words(stem)), None)
    if said is None:
        return None
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    creates, reads = frozenset(spec.get("creates", ())), frozenset(spec.get("reads", ()))
    managers, manager_reads = frozenset(spec.get("managers", ())), frozenset(spec.get("manager-reads", ()))
    constants = _constants(module)
    literal = _literal_methods(module, constants)
    created = 0
    for function in _nodes(module):
        if type(function) is not cst.FunctionDef:
            continue
        values = _assigned(function)
        for node in _nodes(function.body):
            if type(node) is not cst.Call:
                continue
            name = _last(node.func)
            func = node.func
            if name in reads or (
                name in manager_reads and type(func) is cst.Attribute and _last(func.value) in managers
            ):
                return None
            if name in creates:
                if not all(_made_up(a.value, values, constants, 0, literal) for a in node.args):
                    return None
                created += 1
    if not created:
        return None
    return (
        f"the file's name says it makes {said} content, and it creates the people it handles from "
        "literals, constants and counters and reads none from a store: made-up people"
    )


def made_up_record(whole: Callable[[], object], path: str, tables: dict, value, cache: dict) -> Optional[str]:
    """Why a record bound to `value` is a made-up person, or None. `new_user =
    User.objects.create(username=self.rand_username(), email="test@example.com")` in a command
    whose file name says it fills a database with content: every field a literal, a module
    constant, chance (`random.choice(NAMES)`) or a method of its own that returns only those. The
    file may read real rows too (`User.objects.get(pk=1)` to link them): only the person built
    here is made up. whole: the file's whole module (the walk may see only part of it); cache:
    its constants and literal methods, once per file."""
    if type(value) is not cst.Call or not value.args:
        return None
    spec = tables.get("confidence", {}).get("generated", {})
    name = _last(value.func)
    func = value.func
    managed = (
        name in spec.get("manager-creates", ())
        and type(func) is cst.Attribute
        and _last(func.value) in spec.get("managers", ())
    )
    if name not in spec.get("creates", ()) and not managed:
        return None
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    said = next((w for w in spec.get("file-words", ()) if w in split_words(stem)), None)
    if said is None:
        return None
    known = cache.get("generated")
    if known is None:
        module = whole()
        constants = _constants(module)
        known = cache["generated"] = (constants, _literal_methods(module, constants))
    constants, literal = known
    if not all(_made_up(a.value, {}, constants, 0, literal) for a in value.args):
        return None
    return (
        f"the file's name ('{said}') says it makes content, and this person is created here from literals, "
        "constants and chance: made up"
    )


def _nodes(node) -> Iterator:
    from gdpr_lint.syntax.nodes import nodes_under

    return nodes_under(node)


def _last(func) -> str:
    if type(func) is cst.Attribute:
        return func.attr.value
    return func.value if type(func) is cst.Name else ""


def _constants(module) -> Dict[str, object]:
    """Module-level names bound to a value: `USERNAME_TEMPLATE = "test_user_%s"`."""
    found: Dict[str, object] = {}
    for stmt in module.body:
        if type(stmt) is not cst.SimpleStatementLine:
            continue
        for small in stmt.body:
            if type(small) is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
                found[small.targets[0].target.value] = small.value
    return found


def _assigned(function) -> Dict[str, object]:
    """Names of a function bound to a value (None: bound more than once, or by a loop over
    something other than `range(...)`; a loop over `range` binds a counter)."""
    found: Dict[str, object] = {}
    for node in _nodes(function.body):
        target, value = None, None
        if type(node) is cst.Assign and len(node.targets) == 1:
            target, value = node.targets[0].target, node.value
        elif type(node) is cst.For:
            target = node.target
            counted = type(node.iter) is cst.Call and _last(node.iter.func) in ("range", "enumerate")
            value = cst.Integer("0") if counted else None
        if type(target) is cst.Name:
            found[target.value] = value if target.value not in found else None
    return found


_MAX_DEPTH = 8


def _literal_methods(module, constants) -> frozenset:
    """Functions of the module that take nothing (but `self`) and return only literals and
    constants (`def bad_stuff(self): return ""`)."""
    found = set()
    for function in _nodes(module):
        if type(function) is not cst.FunctionDef or len(function.params.params) > 1:
            continue
        returns = [n for n in _nodes(function.body) if type(n) is cst.Return]
        if returns and all(r.value is not None and _made_up(r.value, {}, constants, 0) for r in returns):
            found.add(function.name.value)
    return frozenset(found)


def _made_up(node, values, constants, depth: int, literal: frozenset = frozenset()) -> bool:
    """Whether a value is built only from literals, constants, format strings and counters."""
    if depth > _MAX_DEPTH:
        return False
    t = type(node)
    if t in (cst.SimpleString, cst.Integer, cst.Float):
        return True
    if t is cst.Name:
        if node.value in ("True", "False", "None"):
            return True
        if node.value in values:
            value = values[node.value]
            return value is not None and _made_up(value, values, constants, depth + 1, literal)
        value = constants.get(node.value)
        return value is not None and _made_up(value, {}, constants, depth + 1, literal)
    if t is cst.ConcatenatedString:
        return _made_up(node.left, values, constants, depth + 1, literal) and _made_up(
            node.right, values, constants, depth + 1, literal
        )
    if t is cst.FormattedString:
        return all(
            _made_up(part.expression, values, constants, depth + 1, literal)
            for part in node.parts
            if type(part) is cst.FormattedStringExpression
        )
    if t is cst.BinaryOperation:
        return _made_up(node.left, values, constants, depth + 1, literal) and _made_up(
            node.right, values, constants, depth + 1, literal
        )
    if t in (cst.Tuple, cst.List):
        return all(_made_up(e.value, values, constants, depth + 1, literal) for e in node.elements)
    if t is cst.Attribute and type(node.value) is cst.Name and node.value.value == "string":
        return True  # `string.ascii_lowercase`
    if t in (cst.GeneratorExp, cst.ListComp):
        # `random.choice(letters) for _ in range(8)`: its loop names count what range gives
        counted = dict(values)
        clause = node.for_in
        while clause is not None:
            if not _made_up(clause.iter, counted, constants, depth + 1, literal):
                return False
            for target in _nodes(clause.target):
                if type(target) is cst.Name:
                    counted[target.value] = cst.Integer("0")
            clause = clause.inner_for_in
        return _made_up(node.elt, counted, constants, depth + 1, literal)
    if t is cst.Call:
        # `str(i)`, and a method of its own that takes nothing (`self.bad_stuff()`: a literal)
        name = _last(node.func)
        func = node.func
        if (
            (type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "random")
            or (name == "join" and type(func) is cst.Attribute and type(func.value) is cst.SimpleString)
            or (type(func) is cst.Name and name == "range")
        ):
            # `random.choice(NAMES)`, `"".join(...)`, `range(5, 9)`: chance or text over made-up values
            return all(_made_up(a.value, values, constants, depth + 1, literal) for a in node.args)
        if name in ("str", "int", "format") or (type(node.func) is cst.Attribute and name == "format"):
            inner = node.args and all(_made_up(a.value, values, constants, depth + 1, literal) for a in node.args)
            owner = node.func.value if type(node.func) is cst.Attribute else None
            return bool(inner) and (owner is None or _made_up(owner, values, constants, depth + 1, literal))
        return (
            not node.args
            and name in literal
            and (type(node.func) is cst.Name or (type(node.func.value) is cst.Name and node.func.value.value == "self"))
        )
    return False
