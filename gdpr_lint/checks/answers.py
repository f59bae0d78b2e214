"""Where a GDPR102/GDPR103 text goes when it is an answer to the person who asked, not an
exposure: a command-line command echoing its operator's own input on the operator's terminal,
and an HTTP error a web framework returns as a 4xx response without logging it
([exposure.commands] and [exposure.exceptions] responses in rules/exposure.toml).

Such data is reported at confidence low (shown with `--min-confidence low`), the reason in
`facts.confidence_reason`; credentials stay as they are (a password is not echoed back, not even
to its owner), and what the same code logs is judged as everywhere else.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from http import HTTPStatus
from typing import TYPE_CHECKING, FrozenSet, Optional

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst
from gdpr_lint.analysis.names import last_name, project_class_name, split_words

ECHO_REASON = "the operator's own input (typed on the command line or at a prompt) echoed back on their terminal"


class Answers:
    def __init__(self, table: dict, still_reported: FrozenSet[str]) -> None:
        exceptions = table.get("exceptions", {})
        commands = table.get("commands", {})
        self.still_reported = still_reported
        self.responses = tuple(exceptions.get("responses", ()))
        self.status_responses = tuple(exceptions.get("status-responses", ()))
        self.status_keywords = frozenset(exceptions.get("status-keywords", ()))
        self.command_errors = tuple(commands.get("errors", ()))
        self.status_attributes = tuple(exceptions.get("status-attributes", ()))
        self.answer_names = {tuple(split_words(k)): v for k, v in exceptions.get("answer-names", {}).items()}
        self.validation_hooks = tuple(exceptions.get("validation-hooks", ()))

    def echoed_to_operator(self, taint):
        """The data typed on the command line, no surer than low: it goes back to who typed it."""
        return taint.capped(
            "low", ECHO_REASON, where=lambda s: s.origin == "cli" and s.category not in self.still_reported
        )

    def in_validation_hook(self, ctx, target: str) -> bool:
        """`raise ValueError(...)` in a WTForms field's `pre_validate` or a form's `validate_email`
        ([exposure.exceptions] validation-hooks): the library catches it and shows its text as
        the field's error, to whoever filled in the form."""
        scope = ctx.scope
        if not self.validation_hooks or scope.kind != "function" or scope.class_scope is None:
            return False
        method = scope.node.name.value
        exception = target.rsplit(".", 1)[-1]
        hooks = [
            hook
            for hook in self.validation_hooks
            if exception in hook["exceptions"] and any(fnmatchcase(method, m) for m in hook["methods"])
        ]
        if not hooks:
            return False
        bases = self._class_bases(ctx, scope.class_scope)
        return any(fnmatchcase(base, pattern) for hook in hooks for pattern in hook["bases"] for base in bases)

    @staticmethod
    def _class_bases(ctx, class_scope) -> tuple:
        """The classes from outside the project that a class of the module derives from, also
        through its project bases in other modules; only its own bases when there is no project."""
        node = class_scope.node
        own = tuple(ctx.resolve_call(base.value) or "" for base in node.bases)
        project = ctx.project
        if project is None or class_scope.parent is None or class_scope.parent.parent is not None:
            return own
        found = project.ask(project.index.class_lineage, "@" + node.name.value, project.path)
        return own + tuple(found[0]) if found is not None else own

    def is_command_error(self, ctx, func, target: str) -> bool:
        """`raise CommandError(...)`, `raise click.UsageError(...)`: printed on the terminal."""
        return self._matches(ctx, func, target, self.command_errors)

    def response_status(self, ctx, call, target: str) -> Optional[int]:
        """The 4xx status of `raise X(...)` when X is an HTTP error the framework answers with
        and does not log; None otherwise."""
        if self.responses and self._matches(ctx, call.func, target, self.responses):
            return 400
        constants = self._lineage(ctx, call.func)[1]
        for attribute in self.status_attributes:  # `class Conflict(ModoboaException): http_code = 409`
            status = constants.get(attribute)
            if isinstance(status, int) and not isinstance(status, bool):
                return status if 400 <= status < 500 else None
        named = self._named_answer(ctx, call.func, target)
        if named is not None:  # `galaxy.exceptions.ObjectNotFound`: another distribution's 404
            return named
        if not self.status_responses or not self._matches(ctx, call.func, target, self.status_responses):
            return None
        status = None
        for index, arg in enumerate(call.args):
            if (arg.keyword is None and index == 0 and not arg.star) or (
                arg.keyword is not None and arg.keyword.value in self.status_keywords
            ):
                status = _status(ctx, arg.value)
                break
        return status if status is not None and 400 <= status < 500 else None

    def _named_answer(self, ctx, func, target: str) -> Optional[int]:
        """The status of a 4xx answer that a class from outside the project is named for (its
        name ends with `answer-names`' reason phrase: `ObjectNotFound`, `Conflict`); None for a
        builtin, a class of the project (its body says what it is) or when there is no project
        to tell."""
        project = ctx.project
        if not self.answer_names or project is None or "." not in target or _class_node(ctx, func) is not None:
            return None
        words = split_words(target.rsplit(".", 1)[-1])
        status = next((v for k, v in self.answer_names.items() if k and words[-len(k) :] == k), None)
        if status is None:
            return None
        dotted = project_class_name(ctx, func)
        if not dotted or dotted.startswith("@"):
            return None
        if project.ask(project.index.class_lineage, dotted, project.path) is not None:
            return None
        return status

    def as_response(self, taint, target: str, status: int):
        return self._answered(
            taint,
            f"the text of an HTTP {status // 100}xx response ({target.rsplit('.', 1)[-1]}): the framework "
            "returns it to whoever made the request and logs it nowhere",
        )

    def by_callers(self, taint, reason: str):
        """Every caller of the raising function catches the class and shows its text only to
        who made the request (semantic/answering_handlers.py)."""
        return self._answered(taint, reason)

    def _answered(self, taint, reason: str):
        """`taint` low for `reason` (an answer the person sees, not a log), but for the
        categories reported whoever sees them ([exposure.exceptions] echoed-still-reported)."""
        return taint.capped("low", reason, where=lambda s: s.category not in self.still_reported)

    @staticmethod
    def caught_quietly(ctx, target: str, is_sink) -> Optional[int]:
        """The line of the handler that catches `raise target(...)` in the same function and
        neither re-raises nor passes anything to a sink (`except ActivationError as e: return
        render(request, "error.html", {"message": e.args[0]})`); None when the exception leaves
        the function, or its handler logs, prints or raises."""
        name = target.rsplit(".", 1)[-1]
        for stmt in reversed(ctx.trys):
            for handler in stmt.handlers:
                caught = handler.type
                names = [e.value for e in caught.elements] if type(caught) is cst.Tuple else [caught]
                if not any(last_name(n) == name for n in names):
                    continue
                for node in _nodes(handler.body):
                    if type(node) is cst.Raise or (type(node) is cst.Call and is_sink(node)):
                        return None
                return ctx.line_of(handler) or 0
        return None

    def _matches(self, ctx, func, target: str, patterns) -> bool:
        """`target` or one of the classes it derives from matches a pattern: a base of a class
        of the module, or, through the project index, of a class of another module of the
        project (`FlaskBBCLIError(click.ClickException)` imported from `flaskbb.cli.utils`)."""
        if any(fnmatchcase(target, pattern) for pattern in patterns):
            return True
        return any(any(fnmatchcase(base, pattern) for pattern in patterns) for base in self._lineage(ctx, func)[0])

    def _lineage(self, ctx, func) -> tuple:
        """(the outside classes `func`'s class derives from, its class constants): from the
        project index when there is one, else from the bases a class of the module names."""
        lineage: tuple = ((), {})
        node = _class_node(ctx, func)
        if node is not None:
            lineage = (tuple(ctx.resolve_call(base.value) or "" for base in node.bases), {})
        project = ctx.project
        dotted = project_class_name(ctx, func) if project is not None else None
        found = project.ask(project.index.class_lineage, dotted, project.path) if dotted else None
        return found if found is not None else lineage

    def handled_by_project(self, ctx, call, exposes) -> Optional[str]:
        """Where the module that defines the project's exception class `call` makes catches it
        in a handler, or registers an error handler for it, that neither logs nor re-raises
        (`except MassActionError as e: messages.error(request, e.args[0])`,
        `app.register_error_handler(ApiError, handle_api_error)`): "file:line", or None."""
        project = ctx.project
        func = call.func
        dotted = project_class_name(ctx, func) if project is not None else None
        if not dotted:
            return None
        status = self._given_status(ctx, call)
        found = project.ask(project.index.quiet_handler, dotted, project.path, exposes, status)
        return f"{project.shown(found[0])}:{found[1]}" if found is not None else None

    def _given_status(self, ctx, call) -> Optional[int]:
        """The HTTP status a raise gives a project exception class: a `status-keywords`
        argument, or a later positional one that is a status number (`ApiError(msg, 403)`)."""
        for index, arg in enumerate(call.args):
            if arg.star:
                return None
            if arg.keyword is not None and arg.keyword.value in self.status_keywords:
                return _status(ctx, arg.value)
            if arg.keyword is None and index > 0:
                status = _status(ctx, arg.value)
                if status is not None and 100 <= status < 600:
                    return status
        return None

    def as_handled(self, taint, target: str, where: str):
        return self._answered(
            taint,
            f"{target.rsplit('.', 1)[-1]} is caught, or answered by the error handler registered for it, at "
            f"{where}, which neither logs nor re-raises it: an answer the project shows",
        )


def _class_node(ctx, func):
    """The ClassDef of the module that `func` names, or None."""
    binding = ctx.scope.lookup(func.value) if type(func) is cst.Name else None
    node = getattr(getattr(binding.value, "scope", None), "node", None) if binding is not None else None
    return node if type(node) is cst.ClassDef else None


def _nodes(node):
    from gdpr_lint.syntax.nodes import nodes_under

    return nodes_under(node)


def _status(ctx, node) -> Optional[int]:
    """`404`, `status.HTTP_404_NOT_FOUND`, `HTTPStatus.NOT_FOUND`, a status line (`"422
    Unprocessable Entity"`, falcon's `HTTP_422`), a constant bound to one."""
    folded = ctx.constant(node) if type(node) in (cst.Name, cst.Attribute, cst.Integer, cst.SimpleString) else None
    if folded is not None and isinstance(folded.value, int) and not isinstance(folded.value, bool):
        return folded.value
    if folded is not None and isinstance(folded.value, str):
        head = folded.value[:4]
        return int(head[:3]) if head[:3].isdigit() and head[3:] in ("", " ") else None
    if type(node) is cst.Attribute:
        name = node.attr.value
        if name.startswith("HTTP_") and name[5:8].isdigit():
            return int(name[5:8])
        member = getattr(HTTPStatus, name, None)
        if isinstance(member, HTTPStatus):
            return int(member)
    return None
