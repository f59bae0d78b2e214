"""Command-line commands: which names hold what the operator typed as a command's arguments
([exposure.commands] in rules/exposure.toml), and what a branch's test chose.

A value typed on the command line and echoed on the operator's own terminal exposes nothing the
operator did not just type; the taint analysis marks its sources with origin "cli" and the
exposure check judges the echo (checks/exposure.py)."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import FrozenSet, Optional

import libcst as cst

from gdpr_lint.analysis.names import split_words
from gdpr_lint.syntax.nodes import dotted_name, nodes_under, string_value


def _spec(walker) -> dict:
    return walker.kb.tables.get("exposure", {}).get("commands", {}) or {}


def _param_names(node: cst.FunctionDef):
    params = node.params
    names = [p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)]
    for extra in (params.star_arg, params.star_kwarg):
        if type(extra) is cst.Param:
            names.append(extra.name.value)
    return names


def _calls_in(node):
    return (current for current in nodes_under(node) if type(current) is cst.Call)


def command_input(walker, node: cst.FunctionDef, scope) -> Optional[FrozenSet[str]]:
    """The parameters of `node` that hold what the operator typed: all of them for a command
    (a click/typer-decorated function, a management command's `handle`), the options mapping
    for the other methods of a management command, and the parameters of a helper of the module
    that every call gives what its command's operator typed (analysis/command_helpers.py); None
    for a function that is no command nor such a helper."""
    from gdpr_lint.analysis.command_helpers import fed_parameters

    typed = direct_input(walker, node, scope.self_name, scope.class_scope)
    fed = fed_parameters(walker, node)
    if typed is None:
        if not fed and scope.parent is not None and scope.parent.parent is None:
            from gdpr_lint.analysis.command_callers import fed_by_commands

            fed = fed_by_commands(walker, node)  # `delete_db_admin(username)` called by a click command elsewhere
        return fed or None
    return typed | fed


def direct_input(walker, node: cst.FunctionDef, self_name, class_scope) -> Optional[FrozenSet[str]]:
    """What `command_input` says of a function by itself, without its callers."""
    spec = _spec(walker)
    if not spec:
        return None
    names = _param_names(node)
    if self_name in names:
        names.remove(self_name)
    modules = frozenset(spec.get("decorator-modules", ()))
    for decorator in node.decorators:
        expr = decorator.decorator
        func = expr.func if type(expr) is cst.Call else expr
        target = walker.resolve(func) or dotted_name(func) or ""
        if target.split(".", 1)[0] in modules:
            return frozenset(names)
    defaults = frozenset(spec.get("parameter-defaults", ()))
    params = node.params
    for param in list(params.params) + list(params.kwonly_params):
        for part in (param.default, param.annotation):
            if part is not None and any(walker.resolve(call.func) in defaults for call in _calls_in(part)):
                return frozenset(names)
    if class_scope is None or not _is_command_class(walker, class_scope):
        return None
    if node.name.value in spec.get("entry-methods", ()) or node.name.value in _registered(walker, class_scope):
        return frozenset(names)
    options = frozenset(spec.get("options-parameters", ()))
    return frozenset(name for name in names if name in options)


def _registered(walker, class_scope) -> FrozenSet[str]:
    """The methods a command class registers as the handler of a subcommand (`create.
    set_defaults(method=self.create)` in `add_arguments`): entry methods too."""
    known = class_scope.data.get("registered handlers")
    if known is None:
        calls = frozenset(_spec(walker).get("handler-registrations", ()))
        found = set()
        for call in _calls_in(class_scope.node) if calls else ():
            if type(call.func) is cst.Attribute and call.func.attr.value in calls:
                for arg in call.args:
                    value = arg.value
                    if type(value) is cst.Attribute and type(value.value) is cst.Name:
                        found.add(value.attr.value)
        if calls:  # `add_arguments` may be a block the pre-filter dropped: its text still says
            from gdpr_lint.analysis.command_helpers import dropped_text

            for match in _registration(calls).finditer(dropped_text(walker)):
                found.update(_SELF_ATTRIBUTE.findall(match.group(1)))
        known = class_scope.data["registered handlers"] = frozenset(found)
    return known


_SELF_ATTRIBUTE = re.compile(r"=\s*self\.([A-Za-z_][A-Za-z0-9_]*)")


def _registration(calls: FrozenSet[str]):
    return re.compile(r"\.(?:%s)\s*\(([^)]*)\)" % "|".join(re.escape(c) for c in sorted(calls)))


def _is_command_class(walker, class_scope) -> bool:
    """A class derived from one of `command-bases` by name (`BaseCommand`), or from a class whose
    qualified name matches `command-base-names` (`createsuperuser.Command`, imported from
    `django.contrib.auth.management.commands`: a management command of its own)."""
    known = class_scope.data.get("command class")
    if known is None:
        spec = _spec(walker)
        bases = frozenset(spec.get("command-bases", ()))
        patterns = tuple(spec.get("command-base-names", ()))
        node = class_scope.node
        known = type(node) is cst.ClassDef and any(
            (dotted_name(base.value) or "").rsplit(".", 1)[-1] in bases
            or (patterns and any(fnmatchcase(walker.resolve(base.value) or "", p) for p in patterns))
            for base in node.bases
        )
        class_scope.data["command class"] = known
    return known


def in_command(walker) -> bool:
    """Whether the code being walked is a command-line command's (run by a person, its operator)."""
    scope = walker.scope
    while scope is not None:
        if "command input" in scope.data:
            return True
        scope = scope.parent
    return False


def typed_on_command_line(walker, node) -> bool:
    """Whether the value `node` reads is what the operator typed: what a prompt returns, a
    command's parameter (`username`), an item of its options (`options["email"]`, `kwargs.get("email")`), or an
    attribute of what argparse parsed (`args.email` after `args = parser.parse_args()`)."""
    t = type(node)
    if t is cst.Call and walker.resolve(node.func) in walker.vocab.sources.prompt_functions:
        return True  # `username = click.prompt(click.style("Username"))`: typed at the prompt, whatever it asks
    if t is cst.Name:
        root, how = node, "bare"
    elif t is cst.Subscript and type(node.value) is cst.Name:
        root, how = node.value, "item"
    elif (
        t is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == "get"
        and type(node.func.value) is cst.Name
    ):
        root, how = node.func.value, "item"
    elif t is cst.Attribute and type(node.value) is cst.Name:
        root, how = node.value, "attr"
    else:
        return False
    name = root.value
    scope = walker.scope
    while scope is not None:
        typed = scope.data.get("command input")
        binding = scope.bindings.get(name)
        if typed and name in typed and (binding is None or binding.value is None):
            return how != "attr"  # a parameter, or an item of the options; not `user.email`
        if binding is not None:
            value = binding.value
            return (
                how == "attr"
                and type(value) is cst.Call
                and type(value.func) is cst.Attribute
                and value.func.attr.value in _spec(walker).get("namespace-methods", ())
            )
        scope = scope.parent
    return False


def confirmed_on_command_line(walker, node) -> bool:
    """Whether `node` was checked equal to what the operator typed before it is read: in a command,
    an earlier `if` of the function's body that leaves it (`raise`, `return`) when they differ,
    alone or as one of its `or`-ed conditions (`if not hard or confirm != resolved["username"]:
    raise typer.BadParameter(...)`): past it the value is the one the operator typed."""
    if type(node) not in (cst.Subscript, cst.Attribute) or not in_command(walker):
        return False
    scope = walker.scope
    while scope is not None and scope.kind != "function":
        scope = scope.parent
    if scope is None or type(scope.node) is not cst.FunctionDef:
        return False
    guards = scope.data.get("confirm guards")
    if guards is None:
        guards = scope.data["confirm guards"] = _confirm_guards(walker, scope.node)
    if not guards:
        return False
    line = walker.line_of(node)
    return line is not None and any(
        guard_line < line and _same_value(checked, node) and typed_on_command_line(walker, typed)
        for guard_line, checked, typed in guards
    )


def _same_value(a, b) -> bool:
    """`account["username"]` and `account['username']`, `user.name` and `user.name`: the same read."""
    if type(a) is not type(b):
        return False
    if type(a) is cst.Subscript:
        if len(a.slice) != 1 or len(b.slice) != 1:
            return False
        ka, kb = a.slice[0].slice, b.slice[0].slice
        if type(ka) is not cst.Index or type(kb) is not cst.Index:
            return False
        key_a, key_b = string_value(ka.value), string_value(kb.value)
        return bool(key_a) and key_a == key_b and _same_value(a.value, b.value)
    if type(a) in (cst.Name, cst.Attribute):
        name = dotted_name(a)
        return name is not None and name == dotted_name(b)
    return False


def _confirm_guards(walker, function: cst.FunctionDef):
    """(line, one side, the other side) of each `a != b` an `if` of the function's own body
    tests (alone or `or`-ed) before leaving the function, both ways round."""
    out: list = []
    body = function.body.body if type(function.body) is cst.IndentedBlock else ()
    for stmt in body:
        if type(stmt) is not cst.If or stmt.orelse is not None or not _leaves(stmt.body):
            continue
        line = walker.line_of(stmt)
        if line is None:
            continue
        stack = [stmt.test]
        while stack:
            current = stack.pop()
            if type(current) is cst.BooleanOperation and type(current.operator) is cst.Or:
                stack.extend((current.left, current.right))
            elif (
                type(current) is cst.Comparison
                and len(current.comparisons) == 1
                and type(current.comparisons[0].operator) is cst.NotEqual
            ):
                left, right = current.left, current.comparisons[0].comparator
                out.extend(((line, left, right), (line, right, left)))
    return out


def _leaves(block) -> bool:
    """Whether a block ends by raising or returning."""
    body = block.body if type(block) is cst.IndentedBlock else ()
    last = body[-1] if body else None
    if type(last) is not cst.SimpleStatementLine or not last.body:
        return False
    return type(last.body[-1]) in (cst.Raise, cst.Return)


def chosen_words(test) -> FrozenSet[str]:
    """The words of the string literals an `if` test compares for equality (`share_type ==
    "token"`, `kind in ("token", "link")`): in its body the value is one of those."""
    words: set = set()
    stack = [test]
    while stack:
        current = stack.pop()
        t = type(current)
        if t is cst.BooleanOperation and type(current.operator) is cst.And:
            stack.extend((current.left, current.right))
        elif t is cst.Comparison and len(current.comparisons) == 1:
            comparison = current.comparisons[0]
            op = type(comparison.operator)
            right = comparison.comparator
            literals = []
            if op is cst.Equal:
                literals = [right, current.left]
            elif op is cst.In and type(right) in (cst.Tuple, cst.List, cst.Set):
                literals = [element.value for element in right.elements]
            for literal in literals:
                text = string_value(literal)
                if text:
                    words.update(split_words(text))
    return frozenset(words)
