"""The exposure check's exceptions (GDPR103): personal data in the text of an exception that is
raised, unless the text never reaches a log, the console or the person who made the request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.checks.exposure_state import (
    builds_text,
    dotted,
    formats_field,
    is_factory,
)
from gdpr_lint.checks.exposure_base import ExposureBase
from gdpr_lint.analysis.command_callers import command_spec
from gdpr_lint.semantic.catching_callers import dropped_by_callers


class ExceptionRules(ExposureBase):
    """Judges what a `raise` puts in an exception's text."""

    def on_raise(self, ctx, node: cst.Raise) -> None:
        if not self.wants("GDPR103") or type(node.exc) is not cst.Call:
            return
        taint = unread = EMPTY
        target = ctx.resolve_call(node.exc.func) or dotted(node.exc.func) or "exception"
        echoed = target.rsplit(".", 1)[-1] in self.echoed_exceptions or self.answers.in_validation_hook(ctx, target)
        factory = is_factory(target)
        for arg in node.exc.args:
            if arg.keyword is not None and arg.keyword.value in self.exception_skip:
                continue
            if echoed and type(arg.value) is cst.Dict:
                # `ValidationError({"password2": msg})`: the keys name form fields, the values
                # are the messages; a key does not make its message a password
                for element in arg.value.elements:
                    taint = taint.union(ctx.taint(element.value))
                continue
            value = ctx.taint(arg.value)
            if value and not self._reaches_text(ctx, node.exc, arg, factory):
                unread = unread.union(
                    value.capped(
                        "low",
                        "an argument of an exception factory or a field of the exception, "
                        "not its message: not known to reach the exception's text",
                    )
                )
                continue
            taint = taint.union(value)
        # what reaches the text first: the same value also in a dropped argument
        # (`LoginFailed({"email": email}, message=f"no login for {email}")`) stays as sure
        taint = taint.union(unread)
        if taint and echoed:
            taint = taint.restricted(self.echoed_reported)  # a form error shown to whoever typed it
        if taint and self.answers.is_command_error(ctx, node.exc.func, target):
            taint = self.answers.echoed_to_operator(taint)  # `CommandError(f"no user {username}")`
        status = self.answers.response_status(ctx, node.exc, target) if taint else None
        if status is not None:
            taint = self.answers.as_response(taint, target, status)  # `NotFound(...)`, `HTTPException(404, ...)`
        handled = self.answers.handled_by_project(ctx, node.exc, self._exposes) if taint else None
        if handled is not None:
            taint = self.answers.as_handled(taint, target, handled)  # `raise MassActionError(...)`
        caught = self.answers.caught_quietly(ctx, target, lambda call: self._is_sink_call(ctx, call)) if taint else None
        if caught is not None:
            taint = taint.capped(
                "low", f"caught in the same function (line {caught}) by a handler that neither logs nor re-raises it"
            )
        if taint and caught is None:
            # `except UnknownUser: abort(404)`, `except OIDCError as e: messages.error(request, str(e))` at every call
            dropped = dropped_by_callers(
                ctx,
                target,
                self.handler_answers,
                node,
                self._exposes,
                responses=self.response_names,
                commands=command_spec(self.kb.tables),
            )
            if dropped is not None:
                taint = self.answers.by_callers(taint, dropped[0]) if dropped[1] else taint.capped("low", dropped[0])
        if taint:
            self._report_text(ctx, node.exc, taint, target)

    def on_assert(self, ctx, node: cst.Assert) -> None:
        """`assert owner == user, f"not owned by {user.email}"`: a failing assert raises an
        AssertionError whose text is the message, logged and shown as any exception's."""
        if not self.wants("GDPR103") or node.msg is None:
            return
        taint = ctx.taint(node.msg)
        if not taint:
            return
        checked, why = _type_checked(node.test) or _known_when_failing(node.test) or (None, "")
        if checked is not None and (
            (type(node.msg) is cst.Name and node.msg.value == checked)
            or all(type(s.node) is cst.Name and s.node.value == checked for s in taint.sources if s.node is not None)
        ):
            # `assert isinstance(user, User), f"{user!r} must be a User"`: the text shows the value
            # only when it is not what its name says; `assert token is not None, token` shows None
            taint = taint.capped("low", why)
        caught = self.answers.caught_quietly(ctx, "AssertionError", lambda call: self._is_sink_call(ctx, call))
        if caught is not None:
            taint = taint.capped(
                "low", f"caught in the same function (line {caught}) by a handler that neither logs nor re-raises it"
            )
        self._report_text(ctx, node.msg, taint, "AssertionError")

    def _report_text(self, ctx, node, taint, target: str) -> None:
        """An exception's text that shows personal data: noted for the inventory, and reported."""
        kind = self.kb.tables.get("exposure", {}).get("sink-kinds", {}).get("GDPR103", "exception messages")
        ctx.observe(
            "sent", node, rule="GDPR103", categories=sorted(taint.categories), sink=kind, recipient="", target=target
        )
        self._report(ctx, "GDPR103", node, taint, self.exception_verb, target)

    def _exposes(self, target: Optional[str], method: str) -> bool:
        """For the project index: whether a call of a handler may expose what it is given,
        by its resolved target, or, when its receiver is unknown (`self.logger.info`), by its
        method's name: one of a log's or the console's (GDPR101, GDPR102)."""
        if target is not None:
            if target in self.sinks or target in self.flags or target.rsplit(".", 1)[-1] in self.method_sinks:
                return True
            # a method of a known object: `current_app.logger.warning(...)` is `<logger>.warning`
            owner, _, name = target.rpartition(".")
            kind = self.kb.tables.get("objects", {}).get("instances", {}).get(owner)
            return kind is not None and f"<{kind}>.{name}" in self.sinks
        names = self._sink_names
        if names is None:
            names = self._sink_names = frozenset(
                t.rsplit(".", 1)[-1] for t, sink in self.sinks.items() if sink.rule in ("GDPR101", "GDPR102")
            )
        return method in names

    def _is_sink_call(self, ctx, call: cst.Call) -> bool:
        """Whether a call may expose what it is given: a sink of the catalogue, a method sink,
        or a function of the project that passes its parameters to one."""
        target = ctx.resolve(call.func)
        if target is not None and (target in self.sinks or target in self.flags):
            return True
        func = call.func
        if type(func) is cst.Attribute and func.attr.value in self.method_sinks:
            return True
        return bool(ctx.callee_flows(call, target, self))

    def _reaches_text(self, ctx, call, arg, factory: bool) -> bool:
        """Whether an argument of `raise X(...)` is in the exception's text: the message (a
        message keyword, or text built with an f-string, `%`, `+` or `.format`), any positional
        argument of an exception class (its str shows them all), or a keyword that a class of
        the module formats into its message (`super().__init__(f"... {email}")`)."""
        keyword = arg.keyword.value if arg.keyword is not None else None
        text = ctx.exception_text(call.func) if not factory else None
        if text is not None and not arg.star:  # a project class: what its constructor passes to its text
            params, shown = text
            name = keyword
            if name is None:
                position = [a for a in call.args if a.keyword is None and not a.star].index(arg)
                name = params[position] if position < len(params) else None
            if name is not None:
                return name in shown
        if keyword in self.message_keywords or builds_text(arg.value):
            return True
        if factory:
            return False  # `raise build_error(provider=p, original=e)`, `raise _denied(auth_info)`
        if keyword is None:
            return True
        formats = formats_field(ctx, call.func, keyword)
        return True if formats is None else formats  # an imported class may format it (`UnauthorizedError(user=...)`)


def _type_checked(test) -> "Optional[Tuple[str, str]]":
    """(the name an assert's test checks the type of (`isinstance(user, User)`), why its message
    shows no data), or None."""
    if (
        type(test) is cst.Call
        and type(test.func) is cst.Name
        and test.func.value in ("isinstance", "issubclass")
        and test.args
        and type(test.args[0].value) is cst.Name
    ):
        name = test.args[0].value.value
        return name, f"the assert fails only when `{name}` is not of the type it tests"
    return None


def _known_when_failing(test) -> "Optional[Tuple[str, str]]":
    """(the name an assert's test says is something known when the assert fails, why), or None:
    `token is not None` and `owner != TokenOwner.no_one` fail only when the name holds that value."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1 or type(test.left) is not cst.Name:
        return None
    target = test.comparisons[0]
    if type(target.operator) not in (cst.IsNot, cst.NotEqual) or not _constant_like(target.comparator):
        return None
    name = test.left.value
    return name, f"the assert fails only when `{name}` is the value it is compared with, which the message shows"


def _constant_like(node) -> bool:
    """None, True, False, a number or string literal, or a member of a class (`TokenOwner.no_one`)."""
    if type(node) is cst.Name:
        return node.value in ("None", "True", "False")
    if type(node) in (cst.Integer, cst.Float, cst.SimpleString):
        return True
    root = node
    while type(root) is cst.Attribute:
        root = root.value
    return root is not node and type(root) is cst.Name and root.value[:1].isupper()
