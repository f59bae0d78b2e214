"""What the project index (semantic/project.py) tells of the project's exception classes: what
a class derives from outside the project and the constants its body gives a class attribute
(`class Conflict(ModoboaException): http_code = 409`, `class FlaskBBCLIError(click.
ClickException)` in another module), and whether the module that defines a class catches it
in a handler that neither logs nor re-raises it (`except MassActionError as e:
messages.error(request, e.args[0])`): what it carries is then an answer the project shows, not
an exposure (checks/answers.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

_MAX_HANDLER_CALLS = 24
# methods that log whatever they are called on (an audit trail's `log`, `add_to_log`), unlike
# `error` or `info`, which Django's messages framework also has (shown to the user, not logged)
LOGGING_METHODS = frozenset(("exception", "critical", "fatal"))
_LOGGING_WORDS = frozenset(("log", "audit"))


def logs_by_name(method: str) -> bool:
    """Whether a method's name says it writes a log, whatever object it is called on."""
    from gdpr_lint.analysis.names import split_words

    return method in LOGGING_METHODS or not _LOGGING_WORDS.isdisjoint(w.lower() for w in split_words(method))


class ProjectClasses:
    """A mixin of ProjectIndex: classes across modules."""

    if TYPE_CHECKING:  # provided by ProjectIndex
        _deps: List[set]
        error_handlers: Tuple[frozenset, frozenset, frozenset]

        def summary(self, path: str) -> Optional[dict]: ...
        def resolve(self, form, path: str, depth: int = 0) -> Optional[tuple]: ...
        def _tracked(self, key: tuple, compute: Callable): ...
        def is_test(self, path: str) -> bool: ...

    def class_lineage(self, dotted: str, importer: str) -> Optional[Tuple[Tuple[str, ...], dict]]:
        """For a class of the project (`flaskbb.cli.utils.FlaskBBCLIError`, or `@Name` for one
        of the importer's module): the dotted names of the classes from outside the project it
        derives from, through its project bases (`click.ClickException`), and the constants its
        body or a project base's body gives a class attribute, the nearest winning (`http_code
        = 409`); None when the name is no class of the project."""
        return self._of_class(["name", dotted], importer, "lineage", self._lineage)

    def _lineage(self, path: str, name: str, depth: int) -> Optional[Tuple[Tuple[str, ...], dict]]:
        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if cls is None or depth > 6:
            return None
        outside: List[str] = []
        constants = {attr: form[1] for attr, form in cls.get("attrs", {}).items() if form[0] == "const"}
        for base in cls.get("bases", ()):
            found = self.resolve(base, path)
            if found is None:
                continue
            if found[0] == "dotted":
                outside.append(found[1])
            elif found[0] == "class":
                inherited = self._lineage(found[1], found[2], depth + 1)
                if inherited is not None:
                    outside.extend(inherited[0])
                    for attr, value in inherited[1].items():
                        constants.setdefault(attr, value)
        return tuple(outside), constants

    def form_fields(
        self, dotted: str, importer: str, form_bases: frozenset
    ) -> Optional[Tuple[Tuple[str, Tuple[str, ...]], ...]]:
        """For a call of a project form class (one deriving, through project bases, from a class
        of `form_bases`, `django.forms.Form`): its fields and the identifiers each definition
        spells (semantic/form_fields.py), its bases' too. None when not known: no such form, a
        base from outside the project that is not one of `form_bases` (a `ModelForm` takes its
        fields from the model), a nested `Meta`, fields added under keys not known."""
        found = self._of_class(
            ["name", dotted], importer, "form_fields", lambda p, n, d: self._fields(p, n, d, form_bases)
        )
        return found[0] if found is not None and found[1] else None

    def _fields(self, path: str, name: str, depth: int, form_bases: frozenset):
        summary = self.summary(path)
        classes = summary.get("classes", {}) if summary is not None else {}
        cls = classes.get(name)
        if cls is None or depth > 6 or f"{name}.Meta" in classes or cls.get("form_fields_open"):
            return None
        fields = {field: tuple(spelled) for field, spelled in cls.get("form_fields", {}).items()}
        is_form = False
        for base in cls.get("bases", ()):
            found = self.resolve(base, path)
            if found is None:
                return None
            if found[0] == "dotted":
                if found[1] not in form_bases:
                    return None
                is_form = True
            elif found[0] == "class":
                inherited = self._fields(found[1], found[2], depth + 1, form_bases)
                if inherited is None:
                    return None
                for field, spelled in inherited[0]:
                    fields.setdefault(field, spelled)
                is_form = is_form or inherited[1]
            else:
                return None
        return tuple(sorted(fields.items())), is_form

    def exception_text(self, form, importer: str) -> Optional[Tuple[Tuple[str, ...], frozenset]]:
        """For a call of a project exception class whose text is that of a builtin exception
        (no class of its project lineage defines `__str__`/`__repr__`, and every base from
        outside the project is a builtin exception): (the constructor's parameters, those whose
        value its text can show). An `__init__` that calls its base's `__init__` shows what it
        passes there (`super().__init__("Interactive auth not yet complete")`: nothing); one
        that does not shows every argument (BaseException keeps them all). None when not known."""
        return self._of_class(form, importer, "text", lambda p, n, d: self._text(p, n, d) or self._kept(p, n, d))

    def _kept(self, path: str, name: str, depth: int) -> Optional[Tuple[Tuple[str, ...], frozenset]]:
        """When the text is not known: (the parameters of the `__init__` the class runs, those it
        keeps, semantic/init_kept.py); a parameter it drops is in no text. None when not known."""
        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if cls is None or depth > 6:
            return None
        if "__init__" not in cls.get("methods", ()):
            bases = [self.resolve(base, path) for base in cls.get("bases", ())]
            if len(bases) != 1 or bases[0] is None or bases[0][0] != "class":
                return None
            return self._kept(bases[0][1], bases[0][2], depth + 1)
        init = summary.get("functions", {}).get(f"{name}.__init__") if summary is not None else None
        if init is None or "init_kept" not in cls:
            return None
        return tuple(init.get("params", ())[1:]) + tuple(init.get("kwonly", ())), frozenset(cls["init_kept"])

    def _of_class(self, form, importer: str, what: str, compute: Callable):
        """compute(path, name, 0) for the project class `form` names, once per run (tracked
        under `what`); None when it names no class of the project."""
        target = self.resolve(form, importer)
        if target is None or target[0] != "class":
            return None
        return self._tracked((what, target[1], target[2]), lambda: compute(target[1], target[2], 0))

    def _text(self, path: str, name: str, depth: int) -> Optional[Tuple[Tuple[str, ...], frozenset]]:
        import builtins

        summary = self.summary(path)
        cls = summary.get("classes", {}).get(name) if summary is not None else None
        if cls is None or depth > 6 or {"__str__", "__repr__"} & set(cls.get("methods", ())):
            return None
        inherited = None
        for base in cls.get("bases", ()):
            found = self.resolve(base, path)
            if found is None:
                return None
            if found[0] == "dotted":
                known = getattr(builtins, found[1], None)
                if not (isinstance(known, type) and issubclass(known, BaseException)):
                    return None  # a library's exception may format what a subclass sets
            elif found[0] == "class":
                inherited = self._text(found[1], found[2], depth + 1)
                if inherited is None:
                    return None
            else:
                return None
        if "__init__" not in cls.get("methods", ()):
            return inherited  # the base's constructor (None for a builtin's: every argument)
        init = summary.get("functions", {}).get(f"{name}.__init__") if summary is not None else None
        if init is None:
            return None
        params = tuple(init.get("params", ())[1:]) + tuple(init.get("kwonly", ()))
        if "init_text" not in cls:
            return params, frozenset(params)
        return params, frozenset(cls["init_text"])

    def quiet_handler(
        self,
        dotted: str,
        importer: str,
        exposes: Callable[[Optional[str], str], bool],
        status: Optional[int] = None,
    ) -> Optional[Tuple[str, int]]:
        """(file, line) of a handler in the module that defines the project class `dotted`
        which catches it by name (or a function registered, there or in another module of the
        project, as its error handler: semantic/project_registered.py) and neither
        raises nor makes a call `exposes` judges a sink (a log call, a print); None when there
        is none, or `dotted` is no class of the project. A registered handler that logs only
        server errors (`if error.code >= 500:`) answers a raise whose `status` is 4xx. A class
        of the project's tests is no answer of the project."""
        target = self.resolve(["name", dotted], importer)
        if target is None or target[0] != "class" or self.is_test(target[1]):
            return None
        path, name = target[1], target[2]
        answered = status is not None and 400 <= status < 500
        for line, raises, calls, server_only in self._handlers(path).get(name, ()):
            if raises or (server_only and not answered):
                continue
            if not any(self._exposing(call, path, exposes) for call in calls):
                return path, line
        from gdpr_lint.semantic.project_registered import registered_quietly

        return registered_quietly(self, path, name, answered, lambda call, where: self._exposing(call, where, exposes))

    def _exposing(self, call: list, path: str, exposes: Callable[[Optional[str], str], bool]) -> bool:
        """Whether a call of a handler may expose what it is given: a call of an imported or
        module name judged by what it resolves to (a project helper may log it), one of a local
        or an attribute (`self.logger.info`) by its method's name."""
        form, known, method = call
        if logs_by_name(method):  # `g.audit_object.add_to_log({...})`: a log, whatever object it is
            return True
        if not known:
            return exposes(None, method)
        found = self.resolve(form, path)
        if found is None:
            return exposes(None, method)
        if found[0] == "kind":
            return exposes(f"<{found[1]}>", method)
        if found[0] == "dotted":
            return exposes(found[1], method)
        if found[0] in ("fn", "method"):  # `set_request_error(request, exc)`: where it sends what it is given
            from gdpr_lint.semantic.project_registered import helper_exposes

            return helper_exposes(self, found, exposes)
        return False

    def _handlers(self, path: str) -> Dict[str, list]:
        """The module's `except Name` handlers of its own classes and the functions it
        registers as their error handlers: name -> [(line, whether the body raises, the forms
        of the calls in it, whether calls made only for server errors were left out)]. Read
        when first asked (one parse)."""
        for deps in self._deps:
            deps.add(path)
        return self._tracked(("handlers", path), lambda: _module_handlers(path, self.error_handlers)) or {}


def _module_handlers(path: str, registrations: Tuple[frozenset, frozenset, frozenset]) -> Dict[str, list]:
    import ast
    import warnings

    from gdpr_lint.prefilter import decode_source
    from gdpr_lint.semantic.project_files import _read
    from gdpr_lint.semantic.summary import summarize
    from gdpr_lint.semantic.spelled_lines import note
    from gdpr_lint.semantic.summary_forms import _Shaper

    data = _read(path)
    if data is None:
        return {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = decode_source(data)
            tree = ast.parse(text)
        note(tree, text)  # for its summary (semantic/spelled_lines.py)
        shaper: _Shaper = summarize(tree, lazy=True)["_lazy"][1]
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return {}
    from gdpr_lint.semantic.project_registered import registrations as registered

    out: Dict[str, list] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            names = [c.id for c in caught if isinstance(c, ast.Name) and c.id in shaper.module_names]
            if names:
                entry = (node.lineno, *_judge_body(node.body, shaper, guards=False))
                for name in names:
                    out.setdefault(name, []).append(entry)
    # `app.register_error_handler(ApiError, handle_api_error)`, `@app.errorhandler(ApiError)`
    for handled, handler in registered(tree, registrations):
        if isinstance(handled, ast.Name) and handled.id in shaper.module_names:
            out.setdefault(handled.id, []).append((handler.lineno, *_judge_body(handler.body, shaper, guards=True)))
    return out


def _judge_body(body: list, shaper, guards: bool) -> tuple:
    """(whether the statements raise, the forms of the calls in them, whether calls made only
    for server errors were left out). `guards`: leave out the branch of an `if` that runs only
    for a status of 500 or more (`if error.code >= 500: logger.exception(error)`)."""
    import ast

    raises = server_only = False
    calls: List[list] = []
    stack = list(reversed(body))
    while stack:
        inner = stack.pop()
        if guards and isinstance(inner, ast.If):
            side = _server_side(inner.test)
            if side is not None:
                server_only = True
                stack.extend(reversed(inner.orelse if side else inner.body))
                stack.append(inner.test)
                continue
        if isinstance(inner, ast.Raise):
            raises = True
        elif isinstance(inner, ast.Call):
            form = shaper.form(inner.func)
            root = inner.func
            while isinstance(root, (ast.Attribute, ast.Call, ast.Subscript)):
                root = root.func if isinstance(root, ast.Call) else root.value
            known = isinstance(root, ast.Name) and (root.id in shaper.imports or root.id in shaper.module_names)
            method = inner.func.attr if isinstance(inner.func, ast.Attribute) else getattr(inner.func, "id", "")
            if len(calls) >= _MAX_HANDLER_CALLS:
                raises = True  # too much to judge: not known to be quiet
            else:
                calls.append([form, known and form is not None, method])
        stack.extend(reversed(list(ast.iter_child_nodes(inner))))
    return raises, calls, server_only


def _server_side(test) -> Optional[bool]:
    """For an `if` comparing a status with a number: True when its body runs only for server
    errors (`code >= 500`, `code > 499`), False when its else branch does (`code < 500`), None
    for any other test."""
    import ast

    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant)):
        return None
    bound = test.comparators[0].value
    if not isinstance(bound, int) or isinstance(bound, bool):
        return None
    op = test.ops[0]
    if (isinstance(op, ast.GtE) and bound == 500) or (isinstance(op, ast.Gt) and bound == 499):
        return True
    if (isinstance(op, ast.Lt) and bound == 500) or (isinstance(op, ast.LtE) and bound == 499):
        return False
    return None
