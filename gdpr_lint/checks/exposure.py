"""GDPR1xx: personal data written to logs, output, exceptions, telemetry and URLs.

Which calls are sinks, and which of their arguments carry data, is data in
rules/exposure.toml; this module only interprets it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Dict, Optional

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.analysis.formatted import formatted_whole
from gdpr_lint.checks.exposure_state import (
    Sink,
    format_labels,
    key_argument,
    nth_positional,
    numeric_arguments,
)
from gdpr_lint.checks.exposure_raise import ExceptionRules


class ExposureCheck(ExceptionRules):
    family = "exposure"

    # ---- calls --------------------------------------------------------------------------

    def on_call(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        if target is not None and target.startswith("<logger>.") and target not in self.sinks:
            sink = self.logger_level_sink(target, _message_first(ctx, call))
            if sink is not None:
                if self._wants_sink(sink.rule):  # a project's own level: `logger.security("... %s", ...)`
                    self._check_sink(ctx, call, target, sink)
                return
        if target is None or target not in self.sinks:
            func = call.func
            if type(func) is cst.Attribute and func.attr.value in self.method_sinks:
                method_sink = self.method_sinks[func.attr.value]
                if self._wants_sink(method_sink.rule) and not ctx.is_module(func.value):
                    self._check_sink(ctx, call, target or func.attr.value, method_sink)
                return
        if target is None:
            self._check_helper(ctx, call, None)
            return
        if target in self.url_targets and self.endpoints:
            self._check_endpoint(ctx, call, target)
        sink = self.sinks.get(target)
        if sink is not None:
            if self._wants_sink(sink.rule):
                self._check_sink(ctx, call, target, sink)
            return
        flag = self.flags.get(target)
        if flag is None:
            self._check_helper(ctx, call, target)
        if flag is not None and self.wants(flag["rule"]):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == flag["keyword"]:
                    value = ctx.constant(arg.value)
                    if value is not None and value.value == flag["value"]:
                        recipients = self.kb.tables.get("exposure", {}).get("recipients", {})
                        ctx.observe(
                            "sent",
                            arg,
                            rule=flag["rule"],
                            categories=sorted(flag.get("categories", ())),
                            sink=self.kb.tables.get("exposure", {}).get("sink-kinds", {}).get(flag["rule"], ""),
                            recipient=recipients.get(target.split(".", 1)[0], ""),
                            target=target,
                        )
                        ctx.report(
                            flag["rule"],
                            arg,
                            flag["message"],
                            categories=flag.get("categories", ()),
                            confidence="high",
                            facts={"sink": target, "setting": flag["keyword"]},
                        )

    def _check_sink(self, ctx, call: cst.Call, target: str, sink: Sink) -> None:
        taint = EMPTY
        index = 0
        args = call.args
        if sink.stream_keywords and not self._to_console(ctx, call, sink):
            log_sink = self.sinks.get("<log_file>.write")
            if log_sink is not None and self._to_kind(ctx, call, sink, "log_file"):
                # `print(..., file=audit)` with `audit = open("audit.log", "a")`: into a log
                sink = replace(
                    sink, rule=log_sink.rule, verb=log_sink.verb, kind=log_sink.kind, stream_keywords=frozenset()
                )
                if self._wants_sink(sink.rule):
                    self._check_sink(ctx, call, target, sink)
            return
        if sink.external_url and not _to_other_site(ctx, call):
            return
        numeric = numeric_arguments(ctx, args)  # `log.debug("%i -> %i", last_token, next_token)`
        labels = format_labels(ctx, args)
        ctx.formatted_whole = frozenset(id(n) for arg in args for n in formatted_whole(arg.value))
        for arg in args:
            if arg.star == "**" and isinstance(sink.keywords, frozenset):
                taint = taint.union(ctx.spread_taint(arg.value, sink.keywords))  # `**kwargs`: its keys
                continue
            if arg.star:
                taint = taint.union(ctx.taint(arg.value))
                continue
            if arg.keyword is not None:
                name = arg.keyword.value
                if name in sink.skip_keywords or sink.keywords == "none":
                    continue
                if isinstance(sink.keywords, frozenset) and name not in sink.keywords:
                    continue
                if sink.key_keywords:
                    if name in sink.key_keywords:
                        continue  # the cookie's name: what it says is judged with the value
                    key = key_argument(args, sink)
                    if key is not None:
                        taint = taint.union(ctx.keyed_taint(key, arg.value))
                        continue
                taint = taint.union(ctx.keyed_taint(name, arg.value))
                continue
            position = index
            index += 1
            if position < sink.skip_positional:
                continue
            if sink.positional is not None and position not in sink.positional:
                continue
            if sink.key_value is not None and position == sink.key_value[0] and sink.key_keywords:
                continue  # `set_cookie("email", ...)`: the name, judged with the value
            if sink.key_value is not None and position == sink.key_value[1]:
                key = key_argument(args, sink) if sink.key_keywords else nth_positional(args, sink.key_value[0])
                taint = taint.union(ctx.keyed_taint(key, arg.value) if key is not None else ctx.taint(arg.value))
                continue
            value = ctx.taint(arg.value)
            if value and position - 1 in labels:  # `("on repository %s", full_name)`
                value = ctx.labelled(value, labels[position - 1])
            if value and position in numeric:
                value = value.capped(
                    "low", "formatted as a number (%d, %i, %f): a count, a position or an id", ambiguous_only=True
                )
            taint = taint.union(value)
        ctx.formatted_whole = frozenset()
        if taint and sink.not_categories:
            taint = taint.restricted([c for c in taint.categories if c not in sink.not_categories])
        if taint and sink.rule == "GDPR102":
            taint = self.answers.echoed_to_operator(taint)
        if taint:
            recipients = self.kb.tables.get("exposure", {}).get("recipients", {})
            recipient = sink.recipient or recipients.get(target.split(".", 1)[0], "") or self._url_host(ctx, call, sink)
            ctx.observe(
                "sent",
                call,
                rule=sink.rule,
                categories=sorted(taint.categories),
                sink=sink.kind,
                recipient=recipient,
                target=target,
            )
            self._report(ctx, sink.rule, call, taint, sink.verb, target)

    def _check_endpoint(self, ctx, call: cst.Call, target: str) -> None:
        """`requests.post("https://www.google-analytics.com/mp/collect?...", json=...)`: the
        body goes to the service the URL names ([[exposure.endpoints]])."""
        from gdpr_lint.checks.base import argument

        url = argument(call, 1 if target.rsplit(".", 1)[-1] in ("request", "build_request", "Request") else 0, "url")
        if url is None:
            return
        folded = ctx.constant(url)
        text = folded.value if folded is not None and isinstance(folded.value, str) else ctx.source(url)
        for rule, hosts, verb in self.endpoints:
            if self._wants_sink(rule) and any(host in text for host in hosts):
                taint = EMPTY
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value in self.body_keywords:
                        taint = taint.union(ctx.taint(arg.value))
                if taint:
                    host = next(host for host in hosts if host in text)
                    self._observe_sent(ctx, call, rule, taint, target, host)
                    self._report(ctx, rule, call, taint, verb, target)
                return

    # ---- writes -------------------------------------------------------------------------

    def on_assign(self, ctx, target, name, value) -> None:
        t = type(target)
        if not self.writes or (t is not cst.Attribute and t is not cst.Subscript):
            return
        from gdpr_lint.syntax.nodes import _subscript_key

        # the chain down to the object written into: `event["user"]["email"]`, `scope.user`
        key = None
        node = target
        attribute = None
        while True:
            if type(node) is cst.Subscript:
                if key is None:
                    key = _subscript_key(node)
                    if key is None:
                        key = ""
                inner = node.value
                if type(inner) is cst.Attribute and inner.attr.value in self.write_attribute_items and node is target:
                    self._check_write(ctx, target, value, None, key, inner.attr.value)
                    return
                node = inner
            elif type(node) is cst.Attribute:
                if node is target:
                    attribute = node.attr.value
                node = node.value
            elif type(node) is cst.Call and type(node.func) is cst.Attribute:
                node = node.func.value  # `event.setdefault("extra", {})["email"] = ...`
            else:
                break
        if type(node) is not cst.Name:
            return
        kind = ctx.kind(node)
        if kind is None or kind not in self.write_kinds:
            return
        self._check_write(ctx, target, value, kind, key, attribute)

    def _check_write(self, ctx, target, value, kind, key, attribute) -> None:
        for write in self.writes:
            if not self._wants_sink(write.rule):
                continue
            if kind is None:
                if attribute not in write.attribute_items:
                    continue
            elif kind not in write.kinds:
                continue
            elif type(target) is cst.Subscript:
                if not write.items:
                    continue
            elif not (write.attributes == "any" or attribute in write.attributes):
                continue
            taint = ctx.keyed_taint(key, value) if key else ctx.taint(value)
            if taint and write.not_categories:
                taint = taint.restricted([c for c in taint.categories if c not in write.not_categories])
            if taint and kind in self.server_session_kinds:
                stored = ctx.server_sessions(*self.server_session_markers)
                if stored is not None:  # `app.session_interface = FileSessionInterface(...)`
                    taint = taint.capped(
                        "low",
                        f"the project keeps its sessions on the server ({stored[0]}:{stored[1]}): "
                        "the cookie holds only the session's id",
                    )
            if taint:
                recipients = self.kb.tables.get("exposure", {}).get("recipients", {})
                recipient = recipients.get(f"<{kind}>", "") if kind else ""
                self._observe_sent(ctx, target, write.rule, taint, ctx.source(target), recipient)
                self._report(ctx, write.rule, target, taint, write.verb, ctx.source(target))
            return

    # ---- GDPR108: a digest returned as the pseudonym ----------------------------------------

    def on_scope_exit(self, ctx, scope) -> None:
        if scope.kind != "function" or not scope.returns or not self.wants("GDPR108"):
            return
        _, digests = scope.returns.split_hashed()
        if not digests:
            return
        from gdpr_lint.analysis.names import split_words

        if self.pseudonym_words.isdisjoint(split_words(scope.name)):
            return
        self._report_digests(ctx, scope.node.name, digests, f"returned as a pseudonym by {scope.name}()", scope.name)

    # ---- helpers of the project that send their parameters to a sink ---------------------

    def _check_helper(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        """`notify(user.email)` where notify() (here or in another module of the project)
        writes its parameter to a log: reported at the call, the steps in `related`."""
        flows = ctx.callee_flows(call, target, self)
        # the other sinks the same argument reaches under the same rule: places of its finding
        also: Dict[tuple, list] = {}
        for node, _param, rule, verb, _callee, steps in flows:
            also.setdefault((id(node), rule), []).append((steps[-1], verb))
        reported = set()
        for node, param, rule, verb, callee, steps in flows:
            if not self.wants(rule) or (id(node), rule) in reported:
                continue
            taint = ctx.taint(node)
            if not taint:
                continue
            if rule == "GDPR102":
                taint = self.answers.echoed_to_operator(taint)
            reported.add((id(node), rule))
            callee_path, callee_line, callee_name = callee
            description = taint.describe()
            plural = len(taint.categories) > 1 or " and " in description
            chain = "".join(f", which passes it to {what} ({path}:{line})" for path, line, what in steps[:-1])
            sink_path, sink_line, sink_what = steps[-1]
            message = (
                f"{description} {'are' if plural else 'is'} passed to {callee_name}() "
                f"({callee_path}:{callee_line}){chain}, which {verb} ({sink_path}:{sink_line})"
            )
            related = [
                {"path": callee_path, "line": callee_line, "message": f"{callee_name}() receives it as `{param}`"}
            ]
            related += [{"path": path, "line": line, "message": f"passed to {what}"} for path, line, what in steps[:-1]]
            related.append({"path": sink_path, "line": sink_line, "message": f"{sink_what} {verb}"})
            for (other_path, other_line, other_what), other_verb in also[id(node), rule][1:_MORE_SINKS]:
                related.append({"path": other_path, "line": other_line, "message": f"{other_what} {other_verb} too"})
            ctx.report(
                rule,
                call,
                message,
                categories=taint.categories,
                confidence=taint.confidence,
                facts={
                    "sink": sink_what,
                    "via": callee_name + "()",
                    "categories": list(taint.categories),
                    "confidence_reason": taint.reason,
                    "related": related,
                },
            )

    # ---- raise --------------------------------------------------------------------------


CHECK = ExposureCheck

# how many of the sinks one argument reaches through a helper a finding lists as its places
_MORE_SINKS = 24


def _to_other_site(ctx, call: cst.Call) -> bool:
    """Whether a redirect's URL (its first argument) names a site by itself: text that starts
    with `http://`, `https://` or `//`, written in the call or in the name's one assignment
    (`redirect(f"https://partner.example/?email={email}")`, `redirect(BASE + "?" + query)`).
    A path (`redirect(f"/settings/?tab={tab}")`, `url_for(...)`) stays on the site."""
    first = call.args[0].value if call.args and call.args[0].keyword is None and not call.args[0].star else None
    if first is None:
        first = next((a.value for a in call.args if a.keyword is not None and a.keyword.value in _URL_KEYWORDS), None)
    start = _leading_text(ctx, first, 0) if first is not None else ""
    return start.lower().startswith(("http://", "https://", "//"))


_URL_KEYWORDS = ("to", "url", "location", "redirect_to")


def _leading_text(ctx, node, depth: int) -> str:
    """The literal text a string expression starts with, as far as it can be read."""
    if depth > 6:
        return ""
    t = type(node)
    if t is cst.FormattedString:
        first = node.parts[0] if node.parts else None
        if type(first) is cst.FormattedStringExpression:  # `f"{PARTNER_URL}?email={email}"`
            return _leading_text(ctx, first.expression, depth + 1)
        return first.value if type(first) is cst.FormattedStringText else ""
    if t is cst.BinaryOperation and type(node.operator) in (cst.Add, cst.Modulo):
        return _leading_text(ctx, node.left, depth + 1)
    if t is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "format":
        return _leading_text(ctx, node.func.value, depth + 1)
    if t is cst.Name:
        binding = ctx.scope.lookup(node.value)
        if binding is not None and binding.value is not None and binding.defs == 1:
            text = _leading_text(ctx, binding.value, depth + 1)
            if text:
                return text
    folded = ctx.constant(node) if t in (cst.SimpleString, cst.ConcatenatedString, cst.Name, cst.Attribute) else None
    return folded.value if folded is not None and isinstance(folded.value, str) else ""


def _message_first(ctx, call: cst.Call) -> bool:
    """Whether a call's first argument is a log message: a literal text with a space or a
    placeholder (`"login of %s"`, `f"user {name} signed in"`), not a name (`"app_{time}.log"`)."""
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return False
    first = call.args[0].value
    if type(first) is cst.FormattedString:
        text = "".join(p.value for p in first.parts if type(p) is cst.FormattedStringText)
    else:
        const = ctx.constant(first) if type(first) in (cst.SimpleString, cst.ConcatenatedString) else None
        text = const.value if const is not None and isinstance(const.value, str) else ""
    return " " in text.strip() or "%s" in text or "%r" in text
