"""Which parts of a file that passes the token pre-filter can matter: its top-level blocks
(`relevant_blocks`: the others are blanked before libcst parses the text); the guards before
that parse are in parse_guards.py.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Dict, List, Optional, Tuple

from gdpr_lint.parse_guards import python_lines, python_syntax
from gdpr_lint.prefilter_classes import _NAME_PARTS, person_field_reader, returning_methods


_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# methods that set up instance attributes other methods rely on, and those that decide how an
# object prints (a class that writes its own __repr__ does not print its fields): always kept
_SETUP_METHODS = frozenset(
    {"__init__", "__post_init__", "setUp", "setup", "__new__", "__enter__", "__aenter__", "__repr__", "__str__"}
)


# a module-level literal this large is a data table (place names, a country list, a word list),
# not configuration: no rule judges thousands of literals, and libcst would spend most of a
# minute parsing one of megabytes (GDPR201 does not flag a list of many regions either)
_DATA_TABLE_LINES = 2000
_DATA_TABLE_CHARS = 200_000
_LITERAL_NODES = None


def _is_data_table(node, starts: List[int]) -> bool:
    import ast

    global _LITERAL_NODES
    value = node.value
    if value is None:
        return False
    first, last = node.lineno, node.end_lineno or node.lineno
    if last - first < _DATA_TABLE_LINES and starts[last] - starts[first - 1] < _DATA_TABLE_CHARS:
        return False
    if _LITERAL_NODES is None:
        _LITERAL_NODES = (
            ast.Constant,
            ast.Tuple,
            ast.List,
            ast.Set,
            ast.Dict,
            ast.UnaryOp,
            ast.USub,
            ast.UAdd,
            ast.Load,
        )
    literal = _LITERAL_NODES
    return all(isinstance(child, literal) for child in ast.walk(value))


def _span(node) -> Tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return start, node.end_lineno


def _simple_statements(body):
    """Module- or class-level statements, looking into if/try blocks (imports under
    `try: ... except ImportError:`), not into functions or classes."""
    import ast

    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
            yield from _simple_statements(stmt.body)
            for handler in getattr(stmt, "handlers", ()):
                yield from _simple_statements(handler.body)
            yield from _simple_statements(stmt.orelse)
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt


def _setup_attributes(node, passes, interesting, imports) -> set:
    """`self._session = session or boto3.Session()` in a set-up method: the attributes a
    class's other methods use for what matters (`self._session.resource("dynamodb",
    "us-west-2")` in a method with no token of its own). Only an object made by a call of an
    import that matters, either directly (`bigquery.Client()` with `from google.cloud import
    bigquery`: the method that later passes `location="asia-northeast1"` has no token) or in
    a statement with a token (`boto3.Session()`), not any value next to a token."""
    import ast

    found = set()
    for child in node.body:
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) or child.name not in _SETUP_METHODS:
            continue
        for stmt in ast.walk(child):
            if (
                isinstance(stmt, (ast.Assign, ast.AnnAssign))
                and stmt.value is not None
                and any(
                    isinstance(call, ast.Call)
                    and (root := _call_root(call.func)) in interesting
                    and (root in imports or passes(stmt.lineno, stmt.end_lineno))
                    for call in ast.walk(stmt.value)
                )
            ):
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("self", "cls")
                    ):
                        found.add(target.attr)
    return found


def _call_root(func) -> Optional[str]:
    import ast

    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _annotation_last_name(node) -> Optional[str]:
    """The class an annotation names, as the engine types a parameter: `SignupRequest`,
    `models.SignupRequest`, `Optional[SignupRequest]`, `Annotated[SignupRequest, ...]`,
    `SignupRequest | None` (its last dotted name)."""
    import ast

    if isinstance(node, ast.Subscript):
        from gdpr_lint.analysis.names import TYPE_WRAPPERS

        outer = _annotation_last_name(node.value)
        if outer in TYPE_WRAPPERS:
            inner = node.slice.value if type(node.slice).__name__ == "Index" else node.slice  # type: ignore[attr-defined]  # Python 3.8 Index, not in the stubs
            return _annotation_last_name(inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner)
        return outer
    if isinstance(node, ast.BinOp):
        return _annotation_last_name(node.left)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1].strip() or None
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _dotted(node) -> Optional[str]:
    import ast

    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return node.id if isinstance(node, ast.Name) else None


def _prints_its_fields(node, auto_repr, printed) -> bool:
    """Whether printing an object of the class shows all of its fields, as the engine decides
    it on its own tree (Walker._prints_its_fields): a dataclass, attrs or pydantic class, or a
    subclass of such a class of the module (`printed`), with no __repr__ or __str__ of its own."""
    import ast

    decorators, bases = auto_repr
    if any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in ("__repr__", "__str__")
        for stmt in node.body
    ):
        return False
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if _dotted(call.func if call is not None else decorator) in decorators:
            for keyword in call.keywords if call is not None else ():
                if keyword.arg == "repr":
                    return not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False)
            return True
    return any(_dotted(base) in bases or _dotted(base) in printed for base in node.bases)


def _text_names_data(node, matters) -> bool:
    """Whether the class's own `__str__` (or `__repr__`) matters (a token, or a name the class
    body binds to one: `account = ForeignKey(settings.AUTH_USER_MODEL)`)."""
    import ast

    for name in ("__str__", "__repr__"):
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return matters(*_span(stmt))
    return False


def _names_shown(node, shown: set, text: str, starts: List[int]) -> bool:
    """Whether a block names an object after a class of `shown` (`mailing_list_member`)."""
    first, last = _span(node)
    for word in set(_WORDS.findall(text, starts[first - 1], starts[last])):
        if word[:1].islower() and "".join(p[:1].upper() + p[1:] for p in word.split("_") if p) in shown:
            return True
    return False


def _bound_names(stmt) -> List[str]:
    import ast

    if isinstance(stmt, ast.Import):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [a.asname or a.name for a in stmt.names if a.name != "*"]
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    else:
        return []
    names = []
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.append(node.id)
    return names


def _interesting_imports(stmt, token_filter) -> List[str]:
    """The names an import binds that matter: all of them when the module path has a
    token (`from azure.mgmt.storage import StorageManagementClient`), else only those
    whose own name has one (`EmailT` of `from .typing import EmailT, KeyT`), so that one
    such name does not make every block using `KeyT` parse."""
    module = getattr(stmt, "module", None) or ""
    whole = bool(module) and token_filter.passes(module)
    out = []
    for alias in stmt.names:
        if alias.name == "*":
            continue
        bound = (alias.asname or alias.name).split(".")[0]
        if whole or token_filter.passes(f"{alias.name} {alias.asname or ''}"):
            out.append(bound)
    return out


def relevant_blocks(
    text: str, token_filter, tree=None, gives=None, kept_names=frozenset()
) -> Tuple[str, Optional[List[int]]]:
    """(source, origin): the text without the top-level functions, classes and methods
    that contain no token (a method becomes `pass` on its first line), so libcst parses
    only what can matter, and the original line number of each line of the source (None
    when nothing was dropped). Lines are dropped rather than blanked: a run of empty lines
    is not free to parse. Kept lines are unchanged, so columns stay those of the original.
    Module-level statements, class-level statements and set-up methods are always kept:
    they define the names, constants and loggers that the kept blocks use. A block without
    a token is kept when it uses a name those define, or when it turns an object of a class
    that names personal data into all of its fields (`vars(self)`, `body.model_dump()`), or
    when it uses an imported name for which `gives(name)` (the project index: a project
    function whose return gives a field of its argument, `display_name(member)` with `return
    member.email`) says so."""
    import ast

    if tree is None:
        tree, problem = python_syntax(text)
        if tree is None:
            return text, None
    lines = python_lines(text)
    starts = [0]  # offset of each line in the text
    for line in lines:
        starts.append(starts[-1] + len(line))
    if token_filter.text is not text:  # the runner passes the filter it narrowed already
        token_filter = token_filter._view(text) if token_filter.is_narrowed else token_filter.narrowed(text)
    drops: List[Tuple[int, int, Optional[int]]] = []  # first, last line, indent of `pass` or None

    decided: Dict[Tuple[int, int], bool] = {}  # a class is asked twice: as a class that matters, as a block

    def passes(first: int, last: int) -> bool:
        verdict = decided.get((first, last))
        if verdict is None:
            verdict = decided[first, last] = token_filter.passes_span(starts[first - 1], starts[last])
        return verdict

    spelled: Dict[Tuple[int, int], List[str]] = {}  # a block is asked about by several rules below

    def words(first: int, last: int) -> List[str]:
        found = spelled.get((first, last))
        if found is None:
            found = spelled[first, last] = _WORDS.findall(text, starts[first - 1], starts[last])
        return found

    def uses_interesting(first: int, last: int) -> bool:
        return bool(interesting) and not interesting.isdisjoint(words(first, last))

    # names given a value that matters (`REGION = "us-east-1"`, `TTL = ...`) at module or
    # class level: a block that uses one is kept even if its own text has no token
    # (and so are imports that pass, such as `from azure.mgmt... import Client`, and what
    # module-level code builds from them: `client = Client(...)`)
    interesting = set(kept_names)  # the project's tokens (a person's id that is a login)
    imports: set = set()  # of them, the names imports bind
    for holder in [tree] + [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        for stmt in _simple_statements(holder.body):
            names = _bound_names(stmt)
            if not names:
                continue
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                if passes(stmt.lineno, stmt.end_lineno or stmt.lineno):  # ast.parse sets end_lineno
                    imports.update(_interesting_imports(stmt, token_filter))
                    interesting.update(imports)
                continue
            if passes(stmt.lineno, stmt.end_lineno) or uses_interesting(stmt.lineno, stmt.end_lineno):
                interesting.update(names)
    # classes that extend an import that matters (`class BillingStack(Stack)` with `from aws_cdk
    # import Stack`, also through the module's own classes): a call of one is a call of its base
    grew = True
    while grew:
        grew = False
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and node.name not in interesting
                and any(isinstance(n, ast.Name) and n.id in interesting for base in node.bases for n in ast.walk(base))
            ):
                interesting.add(node.name)
                grew = True
    # module functions that matter: their callers may use what they return
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and passes(*_span(node)):
            interesting.add(node.name)
    # Objects of a class whose fields name personal data (a class that matters), turned into
    # all of their fields (`vars(self)`, `body.model_dump()` with `body: SignupRequest`):
    # where the file has such calls, found once
    dumps = token_filter.dump_positions(text)
    dump_at = [at for at, _ in dumps]
    classes_that_matter = (
        {node.name for node in tree.body if isinstance(node, ast.ClassDef) and passes(*_span(node))} if dumps else set()
    )

    def dumped_names(node) -> set:
        """The names of the objects the block turns into all of their fields."""
        first, last = _span(node)
        index = bisect_left(dump_at, starts[first - 1])
        names = set()
        while index < len(dumps) and dumps[index][0] < starts[last]:
            names.add(dumps[index][1])
            index += 1
        return names

    record_words = frozenset(token_filter.person_fields[2]) if len(token_filter.person_fields) > 2 else frozenset()

    def spells_a_record(node) -> bool:
        """A block that dumps an object and spells a person's record's word or a class that
        matters (`vars(user)`, `for u in members`, `Patient.objects.get(...)`): the engine's
        analysis/taint_values.py judges what it dumps."""
        for word in set(words(*_span(node))):
            if word in classes_that_matter:
                return True
            for part in _NAME_PARTS.findall(word):
                part = part.lower()
                if part in record_words or (part.endswith("s") and part[:-1] in record_words):
                    return True
        return False

    def dumps_a_class_that_matters(node, owner: Optional[str]) -> bool:
        """A block that dumps its `self` (in a class that matters, `owner`) or a parameter
        annotated with a class that matters."""
        names = dumped_names(node) if dump_at else ()
        if not names:
            return False
        if spells_a_record(node):
            return True
        if owner in classes_that_matter:
            first = (node.args.posonlyargs + node.args.args)[:1]
            if first and first[0].arg in names:
                return True
        return any(
            isinstance(arg, ast.arg)
            and arg.arg in names
            and arg.annotation is not None
            and _annotation_last_name(arg.annotation) in classes_that_matter
            for arg in ast.walk(node)
        )

    # names imported from modules whose text has no token: a project helper's return may still
    # give a field of its argument (asked of the project index only for the blocks that use one)
    imported: set = set()
    if gives is not None:
        for stmt in _simple_statements(tree.body):
            if isinstance(stmt, ast.ImportFrom):
                imported.update(name for name in _bound_names(stmt) if name not in interesting)
    giving: Dict[str, bool] = {}

    def uses_giving(first: int, last: int) -> bool:
        for word in imported.intersection(words(first, last)):
            if word not in giving:
                giving[word] = bool(gives(word))
            if giving[word]:
                return True
        return False

    mattered: Dict[Tuple[int, int], bool] = {}  # (`interesting` is complete from here on)

    def matters(first: int, last: int) -> bool:
        verdict = mattered.get((first, last))
        if verdict is None:
            verdict = mattered[first, last] = (
                uses_interesting(first, last) or passes(first, last) or (bool(imported) and uses_giving(first, last))
            )
        return verdict

    def calls_giving_method(cls: str, method, methods: set) -> bool:
        """A method that calls another method of its class whose return gives a field of its
        argument (`app.logger.info(self._fmt(..., request))` with `_fmt` returning a record of
        `request.remote_addr`)."""
        first, last = _span(method)
        for word in methods.intersection(words(first, last)) - {method.name}:
            key = f"{cls}.{word}"
            if key not in giving:
                giving[key] = bool(gives(key))
            if giving[key]:
                return True
        return False

    # Classes that matter whose printed form shows all their fields (a pydantic model, a
    # dataclass): a block may log such an object whole (`logger.info("%s", body)`), so the
    # methods of such a class are kept, and so is a block with a parameter of such a class.
    printed: set = set()
    if any(token_filter.auto_repr):
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and _prints_its_fields(node, token_filter.auto_repr, printed)
                and passes(*_span(node))
            ):
                printed.add(node.name)

    def takes_printed(node) -> bool:
        if shown and _names_shown(node, shown, text, starts):
            return True
        return (
            bool(printed)
            and not isinstance(node, ast.ClassDef)
            and any(
                arg.annotation is not None and _annotation_last_name(arg.annotation) in printed
                for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            )
        )

    # Classes whose own __str__ / __repr__ names personal data (`return f"{self.email}"`): a block
    # may format such an object whole (its `self`, or a `member` of class Member: the engine's
    # analysis/shown_fields.py), so their methods are kept, and so is a block naming one.
    shown = {node.name for node in tree.body if isinstance(node, ast.ClassDef) and _text_names_data(node, matters)}
    printed |= shown

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first, last = _span(node)
            if not matters(first, last) and not dumps_a_class_that_matters(node, None) and not takes_printed(node):
                drops.append((first, last, None))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_data_table(node, starts):
            drops.append((node.lineno, node.end_lineno or node.lineno, None))
        elif isinstance(node, ast.ClassDef):
            first, last = _span(node)
            reads_person = person_field_reader(node, token_filter.person_fields)
            if (
                not matters(first, last)
                and not takes_printed(node)
                and not (reads_person is not None and reads_person.search(text, starts[first - 1], starts[last]))
            ):
                drops.append((first, last, None))
                continue
            if node.name in printed:
                continue
            members = _setup_attributes(node, passes, interesting, imports)
            methods = {
                child.name
                for child in node.body
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and gives is not None
            }
            returning = returning_methods(node, matters, _SETUP_METHODS)
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name not in _SETUP_METHODS:
                    c_first, c_last = _span(child)
                    if (
                        not matters(c_first, c_last)
                        and not dumps_a_class_that_matters(child, node.name)
                        and not takes_printed(child)
                        and not (members and not members.isdisjoint(words(c_first, c_last)))
                        and not (methods and calls_giving_method(node.name, child, methods))
                        and not (returning is not None and returning.search(text, starts[c_first - 1], starts[c_last]))
                        and not (
                            reads_person is not None and reads_person.search(text, starts[c_first - 1], starts[c_last])
                        )
                    ):
                        drops.append((c_first, c_last, child.col_offset))
    if not drops:
        return text, None
    removed = bytearray(len(lines) + 1)
    for first, last, indent in drops:
        if indent is not None:  # a method keeps one line: `pass`, so its class keeps a body
            line = lines[first - 1]
            lines[first - 1] = " " * indent + "pass" + (line[len(line.rstrip("\r\n")) :] or "\n")
            first += 1
        for number in range(first, last + 1):
            removed[number] = 1
    kept = [number for number in range(1, len(lines) + 1) if not removed[number]]
    return "".join(lines[number - 1] for number in kept), kept
