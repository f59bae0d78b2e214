"""Module summaries: what other files of a project need to know of a module, as plain data.

A summary is made from CPython's syntax tree (the runner parses every file that passes the
pre-filter with it already, so a summary costs one more walk of that tree, not a parse by
libcst), is JSON-serialisable, and is cached by the file's content. It records forms, not
conclusions: `verbose_logger = base.getChild("v")` is kept as "the getChild method of the
module name `base`", and the project index (semantic/project.py) resolves the forms against
the catalogues and the other modules' summaries when a file uses them, so summaries compose
(a wrapper of a wrapper of a logger is a logger) without one module's summary depending on
another's.

Forms (lists, so that they survive JSON):
  ["name", "logging.getLogger"]  an imported name (relative ones keep their dots: ".log.x"),
                                 "@name" for a name of the module itself, or a builtin
  ["attr", form, "info"]         an attribute of a form
  ["call", form, "s3"]           the result of calling a form (first string argument or
                                 service_name=, for factories such as boto3.client)
  ["param", "addr"]              a parameter of the function the form is in
  ["const", "eu-west-1"]         a constant string or number
  ["env", "AWS_REGION", "us-east-1"]   an environment variable read with a default (or `or`)
  ["any", form, form, ...]       a module-level name assigned more than once: one of these
  ["ann", form]                  an instance of the project class an annotation names
                                 (`n: Notifier`, `Optional[Notifier]`, `"Notifier"`)
  ["duration", seconds, text]    a lifetime given by a constructor that carries its unit
                                 (`timedelta(days=400)`, `relativedelta(months=13)`); text
                                 says months or years as written, else null
  ["op", "*", form, form], ["delta", ...]   lifetimes computed from other constants
                                 (semantic/lifetime_forms.py)
  ["super", form or None]        `super()` in a method (None: of the method's own class) or
                                 `super(Cls, self)`: the bases of that class

`stars`: the modules a module star-imports (`from .base import *`), with the line, in order;
`opaque`: its module-level names in capitals given a value no form says (they hide a
star-imported value of the same name).

A module-level class (`classes`): its bases, the parameters its `__init__` passes to the base's
`__init__` when it calls it (`init_text`), its methods (summarised as the functions
`Class.method`, a static one marked `static`) and the attributes its body or its methods
(`self.mailer = Mailer()`, `mailer: Mailer`, `self.mailer = mailer` with `mailer: Mailer`)
give one form. A class nested in a class is kept as `Outer.Inner`; one defined in a function
`view` as `view.Inner`, only in the summary of a file being checked (no other file can
reach it).

A function's summary: its parameters, what its `return`s are (forms), and its flows: each
call whose arguments carry a parameter whole (the parameter itself, or text made of it:
f-strings, `%`, `+`, `.format()`, `str()`; not `p.id` nor `len(p)`), with the argument
positions or keywords, the line, the keywords the call passes, whether it is made in a
`try` that handles exceptions (what it raises goes no further), for a call made only
under `if self.flag:` the flag (else null when more follows), and 1 for a method called
with a message first (`log.security("login of %s", x)`: a level a project adds); and each
`raise` whose exception carries one. `varargs` and `varkw` name its `*args` and `**kwargs`
(a flow's argument passed on with `*args` binds the rest of a call's positions). `passes`: the parameters its returns give back
whole (`return value.strip()`); `gives`: the attributes of a parameter they give
(`return user.email`, `f"{u.first_name} {u.last_name}"`), read at a call as the same
attributes of the argument. A class's
`switches`: the flags its `__init__` sets from a parameter (`self._enable_logging =
enable_logging`), with whether that parameter's default is false.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set

from gdpr_lint.semantic.spelled_lines import lines_of
from gdpr_lint.semantic.summary_forms import _ITEMS, _MUTATORS, _annotated_params, _Shaper

VERSION = 13


def summarize(tree: ast.Module, lazy: bool = False, local: bool = False) -> dict:
    """The summary of one module's syntax tree (see the module docstring). `lazy`: a
    function's flows are found when first asked for (`complete`), for the file being
    checked, whose tree lives only while it is checked; such a summary is not data (it
    holds the tree) and is never cached. `local`: also the classes functions define in their
    bodies (only the file itself can use them: for the file being checked)."""
    imports: Dict[str, str] = {}
    module_names: Set[str] = set()
    stars: List[list] = []  # `from .base import *` (settings split over files), in order, with the line
    statements = list(_top_level(tree.body))
    for stmt in statements:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    imports[root] = root
        elif isinstance(stmt, ast.ImportFrom):
            module = "." * (stmt.level or 0) + (stmt.module or "")
            for alias in stmt.names:
                if alias.name == "*":
                    stars.append([module, stmt.lineno])
                    continue
                sep = "" if module.endswith(".") or not module else "."
                imports[alias.asname or alias.name] = f"{module}{sep}{alias.name}"
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            module_names.add(stmt.name)
        else:
            for assigned_name in _targets(stmt):
                module_names.add(assigned_name)
    module_names.difference_update(imports)
    shaper = _Shaper(imports, module_names)
    shaper.fields_lines = lines_of(tree, "fields")  # a form's `self.fields[...]` (semantic/form_fields.py)
    values: Dict[str, list] = {}
    lines: Dict[str, int] = {}
    unknown: Set[str] = set()
    functions: Dict[str, dict] = {}
    classes: Dict[str, dict] = {}
    methods: Dict[str, ast.AST] = {}  # "Class.method" -> its node, for a lazy summary
    keys = None
    if lazy and local:  # what the module-level part is, for the partial summary (module_part)
        from gdpr_lint.semantic.summary_classes import KeyLog

        keys = KeyLog()
    for stmt in statements:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    form = shaper.form(stmt.value) if not isinstance(stmt, ast.AugAssign) else None
                    name = target.id
                    if form is None:
                        unknown.add(name)
                    elif name in values:  # assigned again: one of several values (see `any`)
                        previous = values[name]
                        values[name] = (previous if previous[0] == "any" else ["any", previous]) + [form]
                    else:
                        values[name] = form
                        lines[name] = stmt.lineno
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = _function_head(stmt, shaper) if lazy else _function(stmt, shaper)
            if keys is not None:
                keys.note("f", stmt.name, False)
            if local:
                from gdpr_lint.semantic.summary_classes import local_classes

                local_classes(stmt.body, shaper, functions, lazy, methods, classes, stmt.name, keys)
        elif isinstance(stmt, ast.ClassDef):
            from gdpr_lint.semantic.summary_classes import summarize_class

            summarize_class(stmt, shaper, functions, lazy, methods, classes, local=local, keys=keys)
    for name in unknown:  # also given a value the summary cannot say: unknown
        values.pop(name, None)
        lines.pop(name, None)
    summary = {"v": VERSION, "imports": imports, "values": values, "lines": lines, "functions": functions}
    if stars:
        summary["stars"] = stars
    opaque = sorted(name for name in unknown if name.isupper())
    if opaque:  # a setting given a value the summary cannot say: it hides a star-imported one
        summary["opaque"] = opaque
    if classes:
        summary["classes"] = classes
    if lazy:
        nodes: Dict[str, ast.AST] = {
            stmt.name: stmt for stmt in statements if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        nodes.update(methods)
        summary["_lazy"] = (nodes, shaper, _module_part(summary, keys) if keys is not None else None)
    return summary


def _module_part(summary: dict, keys) -> Optional[dict]:
    """The partial summary (`summarize(tree, lazy=True)` less its `_lazy`, marked `partial`) of
    a lazy summary made with `local`: the same without the classes functions define and their
    methods, the entries in the same order; None when a local key is also a module-level one
    (a method `m` of `C` that defines `X`, beside a class `C.m` with a nested `X`), where
    leaving out the local one would not give what the module-level part alone does."""
    if keys.local & keys.module:
        return None
    local = keys.local
    part = {key: value for key, value in summary.items() if key not in ("functions", "classes")}
    part["functions"] = {key: value for key, value in summary["functions"].items() if ("f", key) not in local}
    for key in ("stars", "opaque"):  # the order summarize gives them
        if key in part:
            part[key] = part.pop(key)
    classes = {key: value for key, value in summary.get("classes", {}).items() if ("c", key) not in local}
    if classes:
        part["classes"] = classes
    part["partial"] = True
    return part


def complete(summary: dict, name: str) -> Optional[dict]:
    """The whole summary of function `name` (its flows found now if the summary is lazy)."""
    function = summary["functions"].get(name)
    lazy = summary.get("_lazy")
    if function is not None and lazy is not None and name in lazy[0]:
        function = summary["functions"][name] = _function(lazy[0].pop(name), lazy[1])
    return function


def _statements(body) -> list:
    """The statements of a function's body, also those in its blocks (not nested functions)."""
    statements = []
    stack = list(body)
    while stack:
        stmt = stack.pop()
        statements.append(stmt)
        if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)):
            stack.extend(stmt.body)
            stack.extend(getattr(stmt, "orelse", ()))
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            stack.extend(stmt.body)
            for handler in stmt.handlers:
                stack.extend(handler.body)
            stack.extend(stmt.orelse)
            stack.extend(stmt.finalbody)
    return statements


def _passes(statements, params: List[str]) -> List[str]:
    """The parameters the function's `return`s give back whole (`return value.strip()`,
    `return f"<{addr}>"`, `clean = addr.replace("\\n", ""); return clean`): a call's result
    carries what the call passes for them. Statements only, in source order, and the same
    in a partial and a whole summary (a result never depends on which one a cache holds)."""
    if not any(type(stmt) is ast.Return and stmt.value is not None for stmt in statements):
        return []  # nothing given back: what the assignments carry is not asked
    shaper = _Shaper({}, set())
    shaper.carriers = {name: {name} for name in params}
    shaper.fields = True
    out: Set[str] = set()
    for stmt in sorted(statements, key=lambda s: s.lineno):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            carried = shaper.carried(stmt.value)
            shaper.carriers[name] = carried if name in params else shaper.carriers.get(name, set()) | carried
        elif (  # `substitutions.update(extras)`: the container now holds what it was given
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr in _MUTATORS
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id not in params
        ):
            name = stmt.value.func.value.id
            for arg in stmt.value.args:
                shaper.carriers[name] = shaper.carriers.get(name, set()) | shaper.carried(arg)
        elif isinstance(stmt, ast.Return) and stmt.value is not None and not isinstance(stmt.value, _ITEMS):
            out |= shaper.carried(stmt.value)  # (a tuple's items are unpacked one by one: not followed)
    return sorted(out)


def _give(summary: dict, carried: List[str]) -> None:
    """`passes`: the parameters the returns give back whole; `gives`: the attributes of a
    parameter they give (`return user.email`, `f"{u.first_name} {u.last_name}"`), at most 8:
    a call's result carries what those attributes of its arguments carry."""
    passes = [name for name in carried if "." not in name]
    gives = [name for name in carried if "." in name][:8]
    if passes:
        summary["passes"] = passes
    if gives:
        summary["gives"] = gives


def _returns(statements, shaper: "_Shaper") -> List[list]:
    """The forms the function's `return` statements give (statements only: cheap)."""
    out: List[list] = []
    if not any(_gives(stmt) for stmt in statements):
        return out  # most functions: nothing to shape, and no locals to find for it
    if not shaper.locals:  # `client = redis.Redis(...)` then `return client` / `yield client`
        counts: Dict[str, int] = {}
        for stmt in statements:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        counts[target.id] = counts.get(target.id, 0) + 1
        for stmt in statements:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and counts.get(stmt.targets[0].id) == 1
                and stmt.targets[0].id not in shaper.params
            ):
                form = shaper.form(stmt.value)
                if form is not None and form[0] in ("call", "name", "attr"):
                    shaper.locals[stmt.targets[0].id] = form
    for stmt in statements:
        if len(out) >= 4:
            break
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Yield):  # a dependency that yields
            stmt = stmt.value
        if isinstance(stmt, (ast.Return, ast.Yield)):
            if stmt.value is not None:
                form = shaper.form(stmt.value)
                if form is not None and form[0] != "param":
                    out.append(form)
    return out


def _gives(stmt) -> bool:
    """Whether a statement is a `return x` or a `yield x` that gives a value."""
    if type(stmt) is ast.Expr and type(stmt.value) is ast.Yield:
        stmt = stmt.value
    return type(stmt) in (ast.Return, ast.Yield) and stmt.value is not None


def _function_head(node, module_shaper: "_Shaper") -> dict:
    args = node.args
    head = {
        "line": node.lineno,
        "params": [a.arg for a in args.posonlyargs + args.args],
        "kwonly": [a.arg for a in args.kwonlyargs],
    }
    shaper = _Shaper(module_shaper.imports, module_shaper.module_names)
    shaper.params = set(head["params"] + head["kwonly"])
    shaper.annotated = _annotated_params(args, module_shaper)
    statements = _statements(node.body)
    returns = _returns(statements, shaper)
    if returns:
        head["returns"] = returns
    _give(head, _passes(statements, head["params"] + head["kwonly"]))
    return head


def _top_level(body):
    """Module-level statements, also those inside top-level `if`/`try` blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from _top_level(stmt.body)
            for handler in stmt.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(stmt.orelse)
            yield from _top_level(stmt.finalbody)
        else:
            yield stmt


def _targets(stmt) -> List[str]:
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def _own_nodes(body):
    """The nodes of a function body, not those of the functions, lambdas and classes in it."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _message_first(call: ast.Call) -> bool:
    """Whether a call's first argument is a log message written out: a literal text with a
    space or a placeholder (`"login of %s"`, `f"user {name} signed in"`), as the exposure
    check asks of a logger's method it does not know (checks/exposure.py)."""
    if not call.args or isinstance(call.args[0], ast.Starred):
        return False
    first = call.args[0]
    if isinstance(first, ast.JoinedStr):
        text = "".join(v.value for v in first.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    elif isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
    else:
        return False
    return " " in text.strip() or "%s" in text or "%r" in text


def _flag_test(test, own: str) -> Optional[str]:
    """`flag` of a test `self.flag` (also as a part of `and`), with `self` the first parameter."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            flag = _flag_test(value, own)
            if flag is not None:
                return flag
        return None
    if isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id == own:
        return test.attr
    return None


def _function(node, module_shaper: _Shaper) -> dict:
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    keyword_only = [a.arg for a in args.kwonlyargs]
    shaper = _Shaper(module_shaper.imports, module_shaper.module_names)
    shaper.params = set(positional + keyword_only)
    shaper.carriers = {name: {name} for name in shaper.params}
    # `def log_info(msg, *args): logger.info(msg, *args)`: what the rest of a call's arguments
    # (or its other keywords) reach, as one parameter
    extras = {"varargs": args.vararg, "varkw": args.kwarg}
    for extra in extras.values():
        if extra is not None:
            shaper.carriers[extra.arg] = {extra.arg}
    shaper.annotated = _annotated_params(args, module_shaper)
    flows: List[list] = []
    raises: List[list] = []
    nodes = list(_own_nodes(node.body))
    # locals: a name assigned once in the body keeps the form and the parameters of its value
    assigned: Dict[str, int] = {}
    for current in nodes:
        if isinstance(current, ast.Assign):
            for target in current.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = assigned.get(target.id, 0) + 1
    for current in nodes:
        if isinstance(current, ast.Assign) and len(current.targets) == 1 and isinstance(current.targets[0], ast.Name):
            name = current.targets[0].id
            carried = shaper.carried(current.value)
            if name in shaper.params:
                if not carried:
                    shaper.carriers[name] = set()  # `addr = mask(addr)`: no longer the value given
                continue
            if assigned.get(name) == 1:
                form = shaper.form(current.value)
                if form is not None and form[0] in ("call", "name", "attr"):
                    shaper.locals[name] = form
            shaper.carriers[name] = shaper.carriers.get(name, set()) | carried
    caught: Set[int] = set()  # calls in the body of a `try` that handles exceptions: what they raise stops there
    guards: Dict[int, str] = {}  # calls under `if self.flag:`: made only when the object is built so
    for current in nodes:
        if isinstance(current, ast.Try) and current.handlers:
            caught.update(id(inner) for inner in _own_nodes(current.body))
        elif isinstance(current, ast.If) and positional:
            flag = _flag_test(current.test, positional[0])
            if flag is not None:
                for inner in _own_nodes(current.body):
                    guards.setdefault(id(inner), flag)
    for current in nodes:
        if isinstance(current, ast.Call):
            carried_args: List[list] = []
            index = 0
            for arg in current.args:
                if isinstance(arg, ast.Starred):
                    params = shaper.carried(arg.value)
                    if params:
                        carried_args.append(["*", sorted(params)])
                    continue
                params = shaper.carried(arg)
                if params:
                    carried_args.append([index, sorted(params)])
                index += 1
            for keyword in current.keywords:
                params = shaper.carried(keyword.value)
                if params:
                    carried_args.append([keyword.arg or "**", sorted(params)])
            if carried_args:
                func = shaper.form(current.func)
                if func is not None:
                    keywords = sorted(k.arg for k in current.keywords if k.arg)
                    flow = [func, carried_args, current.lineno, keywords, int(id(current) in caught)]
                    if id(current) in guards:
                        flow.append(guards[id(current)])
                    if isinstance(current.func, ast.Attribute) and _message_first(current):
                        flow += [None, 1] if len(flow) == 5 else [1]  # `log.security("login of %s", x)`
                    flows.append(flow)
        elif isinstance(current, ast.Raise) and isinstance(current.exc, ast.Call):
            params = set()
            for arg in current.exc.args:
                params |= shaper.carried(arg)
            if params:
                exc = shaper.form(current.exc.func)
                raises.append([exc, sorted(params), current.lineno])
    summary = {"line": node.lineno, "params": positional, "kwonly": keyword_only}
    summary.update((key, extra.arg) for key, extra in extras.items() if extra is not None)
    statements = _statements(node.body)
    returns = _returns(statements, shaper)
    if returns:
        summary["returns"] = returns
    _give(summary, _passes(statements, positional + keyword_only))
    if flows:
        summary["flows"] = flows
    if raises:
        summary["raises"] = raises
    return summary
