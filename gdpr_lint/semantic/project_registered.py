"""Error handlers a project registers for its exception classes, wherever it registers them.

A web app often defines its exception classes in one module and registers their handlers in
another (`errors.py` defines `NotUniqueError`; `api/exception_handlers.py` does
`@app.exception_handler(errors.NotUniqueError)` inside `add_exception_handlers(app)`, and
returns a 409 JSON answer). The defining module's own handlers are read by
semantic/project_classes.py; this finds the others: one scan of the project per run, reading
only the files that spell a registration word ([exposure.exceptions]
error-handler-registrations and error-handler-decorators), parsed with CPython's `ast`
(semantic/project_scan.py, shared with the project's other scans).

Also here: whether a call a handler makes of a project function may expose what it is given
(`set_request_error(request, exc)`, which only stores the error on the request), judged by
where that function's parameters go (its summary's flows), not taken for a sink outright.
"""

from __future__ import annotations

import ast
import os
from typing import Callable, Dict, Iterator, Optional, Tuple

_MAX_BYTES = 2_000_000
_MAX_HELPER_DEPTH = 3


def registrations(tree: ast.Module, registrations_of: Tuple[frozenset, frozenset, frozenset]) -> Iterator[tuple]:
    """(the handled class's expression, the handler: a FunctionDef, or the `if` that tests the
    exception's class) for each error handler the module registers:
    `app.register_error_handler(ApiError, handle_api_error)` (a function of the module) and
    `@app.errorhandler(ApiError)` on a function, at any depth; and each `if isinstance(exception,
    (ValidationError, Problem)):` of a method the framework calls with a raised exception
    (Django middleware's `process_exception(self, request, exception)`)."""
    calls_of, decorators_of, methods_of = registrations_of
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in calls_of
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Name)
        ):
            handler = functions.get(node.args[1].id)
            if handler is not None:
                yield node.args[0], handler
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in methods_of:
                yield from _isinstance_branches(node)
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr in decorators_of
                    and decorator.args
                ):
                    yield decorator.args[0], node


def _isinstance_branches(method) -> Iterator[tuple]:
    """(a class, the `if` statement) for each `if isinstance(exception, X)` (or a tuple of
    classes) among the top-level statements of `method`, whose last positional parameter is
    the raised exception."""
    params = method.args.posonlyargs + method.args.args
    if len(params) < 2:
        return
    exception = params[-1].arg
    for statement in method.body:
        test = statement.test if isinstance(statement, ast.If) else None
        if (
            isinstance(test, ast.Call)
            and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance"
            and len(test.args) == 2
            and isinstance(test.args[0], ast.Name)
            and test.args[0].id == exception
        ):
            classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
            for handled in classes:
                yield handled, statement


def _last(node) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def project_registrations(index) -> Dict[str, list]:
    """Class name -> [(file, form of the handled expression, handler line, raises, calls,
    server_only)] for every handler registered in a module of the project (test code left
    out). Read once per run; the files read are dependencies of every answer that asks."""
    return index._tracked(("registrations",), lambda: _scan(index)) or {}


def _scan(index) -> Dict[str, list]:
    from gdpr_lint.semantic.project_classes import _judge_body
    from gdpr_lint.semantic.project_scan import project_modules
    from gdpr_lint.semantic.summary import summarize

    if index.local_only:
        return {}
    words = [w.encode() for w in index.error_handlers[0] | index.error_handlers[1] | index.error_handlers[2]]
    if not words:
        return {}
    out: Dict[str, list] = {}
    for path, module in project_modules(index, words, _MAX_BYTES):
        tree = module.tree
        try:
            shaper = summarize(tree, lazy=True)["_lazy"][1]
        except (ValueError, LookupError, RecursionError, MemoryError):  # as a parse that failed
            continue
        for handled, handler in registrations(tree, index.error_handlers):
            name = _last(handled)
            form = shaper.form(handled) if name is not None else None
            if name is None or form is None:
                continue
            entry = (os.path.abspath(path), form, handler.lineno, *_judge_body(handler.body, shaper, guards=True))
            out.setdefault(name, []).append(entry)
    return out


def registered_quietly(
    index,
    path: str,
    name: str,
    answered: bool,
    exposing: Callable[[list, str], bool],
) -> Optional[Tuple[str, int]]:
    """(file, line) of a handler registered in another module of the project for the class
    `name` of `path` that neither raises nor makes an exposing call (`exposing(call, file)`);
    a handler that logs only server errors counts when the raise gives a 4xx status
    (`answered`). None when there is none."""
    here = os.path.abspath(path)
    for where, form, line, raises, calls, server_only in project_registrations(index).get(name, ()):
        if where == here or raises or (server_only and not answered):
            continue
        target = index.resolve(form, where)
        if target is None or target[0] != "class" or os.path.abspath(target[1]) != here or target[2] != name:
            continue
        if not any(exposing(call, where) for call in calls):
            return where, line
    return None


def helper_exposes(index, target: tuple, exposes: Callable[[Optional[str], str], bool], depth: int = 0) -> bool:
    """Whether a project function or method a handler calls may expose what it is given:
    one that raises, or passes a parameter on to a call `exposes` judges a sink, directly or
    through the project's functions (a few levels; deeper, or unknown, counts as exposing)."""
    from gdpr_lint.semantic.project_classes import logs_by_name

    if depth > _MAX_HELPER_DEPTH:
        return True
    function = index.function_summary(target[1], target[2])
    if function is None or function.get("raises"):
        return True
    for flow in function.get("flows", ()):
        form = flow[0]
        found = index.resolve(form, target[1])
        method = _method_of(form)
        if logs_by_name(method):
            return True
        if found is None:
            if exposes(None, method):
                return True
        elif found[0] == "kind":
            if exposes(f"<{found[1]}>", method):
                return True
        elif found[0] == "dotted":
            if exposes(found[1], method):
                return True
        elif found[0] in ("fn", "method"):
            if helper_exposes(index, found, exposes, depth + 1):
                return True
        else:
            return True
    return False


def _method_of(form) -> str:
    """The called name a summary's form ends with (`["attr", [...], "info"]`: info)."""
    if isinstance(form, list) and form:
        if form[0] == "attr" and len(form) > 2 and isinstance(form[-1], str):
            return form[-1]
        if form[0] == "name" and len(form) > 1 and isinstance(form[1], str):
            return form[1].rsplit(".", 1)[-1]
    return ""
