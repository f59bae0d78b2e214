"""A function of one module that commands of other modules call with what their operator typed.

`delete_db_admin(username)` in `lib/auth.py` prints `f"Deleting admin {username}"`; the only call of
it in the project is in `cli/admin.py`, inside `@click.argument("username") def delete_admin(username):
delete_db_admin(username)`. The name it prints is the one the operator just typed, echoed on their
terminal, as when the command prints it itself (analysis/commands.py, command_helpers.py).

The call may name the function (`from app.lib.auth import delete_db_admin`) or go through its module
(`from app.commands import accounts` or `import app.commands.accounts as accounts`, then
`accounts.change_username(current, new)`).

A parameter of a module-level function is judged so when the project calls the function, every call
is in a command-line command (a function with a decorator from [exposure.commands] decorator-modules,
`@click.argument`, `@typer...`, or from an app or group the module made with them, `app = typer.Typer()`
then `@app.command()`: command_imports) and gives the parameter one of the command's own parameters or a
constant, and at least one call gives it a command's parameter. Anything else (a call from a web
view, a value the command computed, the function passed around as a value, no call at all: a
library's API) leaves the parameter as it is. One scan per function and run: the project's `.py`
files are read as bytes, and only those that spell the function's name and a decorator module are
parsed, with CPython's `ast` (semantic/project_scan.py, shared with the project's other scans).
"""

from __future__ import annotations

import ast
import os
from typing import Dict, FrozenSet, List, Optional

_MAX_FILES = 40  # files naming the function: more, and the name is too common to judge
_MAX_BYTES = 2_000_000


def fed_by_commands(walker, node) -> FrozenSet[str]:
    """The parameters of `node`, a module-level function of the file being walked, that every
    call in the project's other modules gives what a command's operator typed."""
    project = getattr(walker, "project", None)
    if project is None or project.index.local_only:
        return frozenset()
    modules = command_modules(walker.kb.tables)
    if not modules:
        return frozenset()
    params = node.params
    positional = [p.name.value for p in list(params.posonly_params) + list(params.params)]
    keyword_only = [p.name.value for p in params.kwonly_params]
    if not positional and not keyword_only:
        return frozenset()
    name = node.name.value
    index = project.index
    path = project.path
    if name not in project.ask(command_callees, index, modules):
        return frozenset()  # no command of the project calls a function of that name: the usual case
    found = project.ask(
        index._tracked,
        ("command callers", path, name),
        lambda: _scan(index, path, name, positional, keyword_only, modules),
    )
    return found or frozenset()


def command_callees(index, modules: FrozenSet[str]) -> FrozenSet[str]:
    """The names of the functions the project's commands call by a bare name: one scan per
    run (and process: a run's workers inherit it when the runner made it before they fork)."""
    return index._tracked(("command callees",), lambda: _callees(index, modules))


def command_modules(tables: dict) -> FrozenSet[str]:
    """The modules whose decorators make a function a command ([exposure.commands])."""
    spec = tables.get("exposure", {}).get("commands", {}) or {}
    return frozenset(spec.get("decorator-modules", ()))


def command_spec(tables: dict) -> tuple:
    """(decorator modules, command base classes, entry methods, options parameters) of
    [exposure.commands]: what makes a function or a method a command; () when none is set."""
    spec = tables.get("exposure", {}).get("commands", {}) or {}
    if not spec:
        return ()
    return (
        frozenset(spec.get("decorator-modules", ())),
        frozenset(spec.get("command-bases", ())),
        frozenset(spec.get("entry-methods", ())),
        frozenset(spec.get("options-parameters", ())),
    )


def _scan(index, path: str, name: str, positional: List[str], keyword_only: List[str], modules) -> FrozenSet[str]:
    from gdpr_lint.semantic.source_bytes import read_source

    scan = index.scan
    own = read_source(path, _MAX_BYTES)
    if own is None:
        return frozenset()
    module = scan.module(path, own)
    if module is None:
        return frozenset()
    if module.named(name):
        return frozenset()  # also used in its own module: judged there (command_helpers.py)
    module_words = [m.encode() for m in modules]
    typed: Dict[str, bool] = {p: False for p in positional + keyword_only}
    spoiled: set = set()
    files = 0
    calls = 0
    for other, data in scan.spelling((name.encode(),), _MAX_BYTES):
        if os.path.abspath(other) == path:
            continue  # calls in the module itself are judged by command_helpers.py
        for deps in index._deps:
            deps.add(other)
        files += 1
        if files > _MAX_FILES or index.is_test(other):
            if index.is_test(other):
                continue
            return frozenset()
        module = scan.module(other, data)
        if module is None:
            return frozenset()
        imports = command_imports(module.tree, modules)
        spelt = [alias for alias, dotted in imports.items() if dotted.rsplit(".", 1)[-1] == name]
        named = [alias for alias in spelt if index.resolve(["name", imports[alias]], other) == ("fn", path, name)]
        # `from pkg.commands import change_username` / `change_username.change_username(...)`:
        # the function called through its imported module
        through = [
            alias
            for alias, dotted in imports.items()
            if alias not in named
            and f"{alias}.{name}".encode() in data
            and index.resolve(["name", f"{dotted}.{name}"], other) == ("fn", path, name)
        ]
        if not spelt and not through:
            if any(word in data for word in module_words) or module.named(name):
                return frozenset()  # named without being imported from elsewhere: not judged
            continue
        if not named and not through:
            continue  # another function of the same name
        for use in list(_uses(module, named)) + list(_module_uses(module, through, name)):
            if use is None:
                return frozenset()  # passed around as a value, or called outside a command
            call, command = use
            if not _is_command(command, imports, modules):
                return frozenset()
            given = _given(call, positional, keyword_only)
            if given is None:
                return frozenset()
            command_params = _params(command)
            for param, value in given.items():
                if isinstance(value, ast.Constant):
                    continue
                if isinstance(value, ast.Name) and value.id in command_params:
                    typed[param] = True
                    continue
                spoiled.add(param)  # something else: not known to be typed
            calls += 1
    if not calls:
        return frozenset()
    return frozenset(p for p, fed in typed.items() if fed and p not in spoiled)


def _callees(index, modules) -> FrozenSet[str]:
    """The names of the functions the project's commands call by a bare name (one scan per run:
    only the files that spell a decorator module are parsed)."""
    words = [m.encode() for m in modules]
    names: set = set()
    from gdpr_lint.semantic.ast_names import function_defs
    from gdpr_lint.semantic.project_scan import project_modules

    for _, module in project_modules(index, words, _MAX_BYTES):
        tree = module.tree
        imports = command_imports(tree, modules)
        for function in function_defs(tree):
            if _is_command(function, imports, modules):
                for call in ast.walk(function):
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                        names.add(imports.get(call.func.id, call.func.id).rsplit(".", 1)[-1])
                    elif (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and isinstance(call.func.value, ast.Name)
                        and imports.get(call.func.value.id, "").split(".", 1)[0] not in ("", *modules)
                    ):
                        names.add(call.func.attr)  # `change_username.change_username(...)`: a module's function
    return frozenset(names)


def _imports(tree: ast.Module) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module is not None and not stmt.level:
            for alias in stmt.names:
                out[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname is not None:  # `import pkg.commands.users as users`
                    out[alias.asname] = alias.name
                elif "." not in alias.name:
                    out[alias.name] = alias.name
    return out


def command_imports(tree: ast.Module, modules) -> Dict[str, str]:
    """`_imports`, and the module's own names that stand for a command-line framework's object: one
    bound to what a call into one of `modules` made (`app = typer.Typer()`, `cli = click.Group()`)
    or a function a decorator of theirs makes a group (`@click.group() def cli():`), so that
    `@app.command()` and `@cli.command()` make a command as `@click.command()` does."""
    imports = _imports(tree)
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
        ):
            root = _root_module(stmt.value.func, imports)
            if root in modules:
                imports.setdefault(stmt.targets[0].id, root)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_command(stmt, imports, modules):
            imports.setdefault(stmt.name, _root_module(_decorator_root(stmt), imports))
    return imports


def _root_module(func: ast.AST, imports: Dict[str, str]) -> str:
    while isinstance(func, ast.Attribute):
        func = func.value
    if isinstance(func, ast.Call):
        return _root_module(func.func, imports)
    return imports.get(func.id, func.id).split(".", 1)[0] if isinstance(func, ast.Name) else ""


def _decorator_root(function) -> ast.AST:
    decorator = function.decorator_list[0]
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _module_uses(module, aliases: List[str], name: str):
    """(call, the function it is in) for each `alias.name(...)` of a module alias; None for
    `alias.name` used otherwise (passed around) or called outside a function."""
    parents = module.parents()
    for alias in dict.fromkeys(aliases):
        for node in module.named(alias):
            attribute = parents.get(id(node))
            if not (isinstance(attribute, ast.Attribute) and attribute.value is node and attribute.attr == name):
                continue  # another name of the module
            call = parents.get(id(attribute))
            if not (isinstance(call, ast.Call) and call.func is attribute):
                yield None
                continue
            function = _enclosing_function(call, parents)
            yield (call, function) if function is not None else None


def _enclosing_function(node: ast.AST, parents) -> Optional[ast.AST]:
    """The function a call sits in (through its blocks), or None at module or class level."""
    function: Optional[ast.AST] = node
    while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        function = parents.get(id(function))
    return function


def _uses(module, names: List[str]):
    """(call, the function it is in) for each call of one of `names`; None for a use that is no
    call in a function."""
    parents = module.parents()
    for alias in dict.fromkeys(names):
        for node in module.named(alias):
            if not isinstance(node.ctx, ast.Load):
                continue
            call = parents.get(id(node))
            if not (isinstance(call, ast.Call) and call.func is node):
                yield None
                continue
            function = _enclosing_function(call, parents)
            yield (call, function) if function is not None else None


def _is_command(function, imports: Dict[str, str], modules) -> bool:
    """A function with a decorator from one of the command modules (`@click.argument(...)`)."""
    for decorator in function.decorator_list:
        root = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and (root.id in modules or imports.get(root.id, "").split(".", 1)[0] in modules):
            return True
    return False


def _given(call: ast.Call, positional: List[str], keyword_only: List[str]) -> Optional[Dict[str, ast.AST]]:
    """What the call gives each parameter it passes; None for a `*args`/`**kwargs` call."""
    given: Dict[str, ast.AST] = {}
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred) or position >= len(positional):
            return None
        given[positional[position]] = arg
    for keyword in call.keywords:
        if keyword.arg is None:
            return None
        if keyword.arg in positional or keyword.arg in keyword_only:
            given[keyword.arg] = keyword.value
    return given


def _params(function) -> FrozenSet[str]:
    args = function.args
    return frozenset(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
