"""GDPR1xx: personal data written to logs, output, exceptions, telemetry and URLs.

Which calls are sinks, and which of their arguments carry data, is data in
rules/exposure.toml; this module only interprets it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, Optional, Tuple, Union

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.analysis.labels import percent_labels
from gdpr_lint.analysis.pii import personal_data_tokens
from gdpr_lint.checks.answers import Answers
from gdpr_lint.checks.base import Check


@dataclass(frozen=True)
class Sink:
    rule: str
    verb: str
    skip_positional: int = 0
    positional: Optional[FrozenSet[int]] = None
    keywords: object = "all"  # "all", "none" or a frozenset of names
    skip_keywords: FrozenSet[str] = frozenset()
    key_value: Optional[Tuple[int, int]] = None
    stream_keywords: FrozenSet[str] = frozenset()  # `file=`: where the call writes, the console by default
    console_streams: FrozenSet[str] = frozenset()  # words of a stream that is the console
    kind: str = ""  # for the inventory: logs, console, telemetry, ... ([exposure] sink-kinds)
    recipient: str = ""  # the service it sends to, when one
    key_keywords: FrozenSet[str] = frozenset()  # `set_cookie(key="email", value=...)`: the key by keyword
    not_categories: FrozenSet[str] = frozenset()  # categories the sink is made for (a session id in a cookie)


@dataclass(frozen=True)
class Write:
    """An assignment that sends: `scope.user = {...}`, `event["user"]["email"] = ...`."""

    rule: str
    verb: str
    kinds: FrozenSet[str]
    attributes: Union[str, FrozenSet[str]]  # "any" or a frozenset of attribute names
    items: bool
    attribute_items: FrozenSet[str]  # `response.cookies[k] = v`: items of these attributes of any object
    not_categories: FrozenSet[str] = frozenset()


class ExposureCheck(Check):
    family = "exposure"

    def __init__(self, kb, config, enabled_codes) -> None:
        super().__init__(kb, config, enabled_codes)
        table = kb.tables.get("exposure", {})
        verbs = table.get("verbs", {})
        self.sinks: Dict[str, Sink] = {}
        self.method_sinks: Dict[str, Sink] = {}  # `set_cookie` on any object
        for spec in table.get("sinks", ()):
            rule = spec["rule"]
            keywords = spec.get("keywords", "all")
            sink = Sink(
                rule=rule,
                verb=spec.get("verb", verbs.get(rule, "exposed")),
                skip_positional=int(spec.get("skip-positional", 0)),
                positional=frozenset(spec["positional"]) if "positional" in spec else None,
                keywords=frozenset(keywords) if isinstance(keywords, list) else keywords,
                skip_keywords=frozenset(spec.get("skip-keywords", ())),
                key_value=tuple(spec["key-value"]) if "key-value" in spec else None,
                stream_keywords=frozenset(spec.get("stream-keywords", ())),
                console_streams=frozenset(spec.get("console-streams", ())),
                kind=spec.get("kind", table.get("sink-kinds", {}).get(rule, "")),
                recipient=spec.get("recipient", ""),
                key_keywords=frozenset(spec.get("key-keywords", ())),
                not_categories=frozenset(spec.get("not-categories", ())),
            )
            for target in spec["targets"]:
                self.sinks[target] = sink
            for method in spec.get("methods", ()):
                self.method_sinks[method] = sink
        self.writes = []
        for spec in table.get("writes", ()):
            attributes = spec.get("attributes", ())
            self.writes.append(
                Write(
                    rule=spec["rule"],
                    verb=spec.get("verb", verbs.get(spec["rule"], "exposed")),
                    kinds=frozenset(spec.get("kinds", ())),
                    attributes=attributes if attributes == "any" else frozenset(attributes),
                    items=bool(spec.get("items", False)),
                    attribute_items=frozenset(spec.get("attribute-items", ())),
                    not_categories=frozenset(spec.get("not-categories", ())),
                )
            )
        self.write_kinds = frozenset(kind for write in self.writes for kind in write.kinds)
        self.write_attribute_items = frozenset(a for write in self.writes for a in write.attribute_items)
        # HTTP calls whose URL names a service's API: the body is sent to that service
        self.url_targets = frozenset(
            t for spec in table.get("sinks", ()) if spec["rule"] == "GDPR105" for t in spec["targets"]
        )
        self.endpoints = [
            (spec["rule"], tuple(spec.get("hosts", ())), verbs.get(spec["rule"], "exposed"))
            for spec in table.get("endpoints", ())
        ]
        self.body_keywords = frozenset(table.get("body-keywords", ("json", "data", "content", "body")))
        self.pseudonym_words = frozenset(table.get("pseudonym-function-words", ()))
        self.flags = {flag["target"]: flag for flag in table.get("flags", ())}
        exceptions = table.get("exceptions", {})
        self.exception_skip = frozenset(exceptions.get("skip-keywords", ()))
        self.echoed_exceptions = frozenset(exceptions.get("echoed", ()))
        self.echoed_reported = frozenset(exceptions.get("echoed-still-reported", ()))
        self.message_keywords = frozenset(exceptions.get("message-keywords", ()))
        self.exception_verb = verbs.get("GDPR103", "put in an exception message")
        self.answers = Answers(table, self.echoed_reported)
        self._sink_names: Optional[FrozenSet[str]] = None  # the last names of the sinks' targets
        self.helper_verbs = table.get("helper-verbs", {})  # active forms: `writes it to a log`

    def prefilter_tokens(self):
        return personal_data_tokens(self.kb.tables, self.config) + ["send_default_pii"] + self._subclass_tokens()

    def _subclass_tokens(self):
        """A class of the file that subclasses a client (`class Assistant(OpenAI)`) makes its
        calls sinks: the block that defines it must stay, whatever words it holds."""
        import re

        objects = self.kb.tables.get("objects", {})
        targets = list(objects.get("factories", {}))
        targets += [t for entry in objects.get("conditional-factories", ()) for t in entry.get("targets", ())]
        names = sorted({t.rsplit(".", 1)[-1] for t in targets if t.rsplit(".", 1)[-1][:1].isupper()})
        return [(name.lower(), rf"class\s+\w+\s*\([^)]*\b{re.escape(name.lower())}\b") for name in names]

    # ---- calls --------------------------------------------------------------------------

    def on_call(self, ctx, call: cst.Call, target: Optional[str]) -> None:
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
            return
        numeric = _numeric_arguments(ctx, args)  # `log.debug("%i -> %i", last_token, next_token)`
        labels = _format_labels(ctx, args)
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
                    key = _key_argument(args, sink)
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
                key = _key_argument(args, sink) if sink.key_keywords else _positional(args, sink.key_value[0])
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
            if taint:
                recipients = self.kb.tables.get("exposure", {}).get("recipients", {})
                recipient = recipients.get(f"<{kind}>", "") if kind else ""
                self._observe_sent(ctx, target, write.rule, taint, ctx.source(target), recipient)
                self._report(ctx, write.rule, target, taint, write.verb, ctx.source(target))
            return

    def _observe_sent(self, ctx, node, rule: str, taint, target: str, recipient: str) -> None:
        """The inventory's record of where data goes, for sinks that are not [[exposure.sinks]]
        calls (endpoints, writes)."""
        kind = self.kb.tables.get("exposure", {}).get("sink-kinds", {}).get(rule, "")
        ctx.observe(
            "sent", node, rule=rule, categories=sorted(taint.categories), sink=kind, recipient=recipient, target=target
        )

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

    @staticmethod
    def _url_host(ctx, call: cst.Call, sink: Sink) -> str:
        """The host a URL sink sends to, when the URL is known (`crm.example.com`), else ""."""
        if sink.rule != "GDPR105":
            return ""
        from gdpr_lint.checks.base import keyword
        from gdpr_lint.checks.residency_catalog import host_of

        url = keyword(call, "url") or _positional(call.args, min(sink.positional or {0}))
        # `API_URL % {...}`, `BASE + path`, f"https://host/{x}": the host is in the known start
        partial = False
        while type(url) is cst.BinaryOperation:
            url, partial = url.left, True
        if type(url) is cst.FormattedString:
            first = url.parts[0] if url.parts else None
            text = first.value if type(first) is cst.FormattedStringText else ""
            partial = True
        else:
            value = ctx.constant(url) if url is not None else None
            text = value.value if value is not None and isinstance(value.value, str) else ""
        if "://" not in text or (partial and not any(c in text.split("://", 1)[1] for c in "/:?#")):
            return ""  # f"https://api.{region}.example.com": the host goes on in the unknown part
        return host_of(text) or ""

    # ---- helpers of the project that send their parameters to a sink ---------------------

    def _check_helper(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        """`notify(user.email)` where notify() (here or in another module of the project)
        writes its parameter to a log: reported at the call, the steps in `related`."""
        flows = ctx.callee_flows(call, target, self)
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
                    "related": related,
                },
            )

    def call_sinks(self, target: str, args, keywords=()) -> list:
        """For the project index: which of a call's arguments (given as [position or keyword,
        parameters]) reach the sink `target` is: [(parameters, rule, active verb)].
        `keywords`: all the keywords the call passes."""
        sink = self.sinks.get(target)
        if sink is None or not sink.stream_keywords.isdisjoint(keywords):
            return []  # print(..., file=out) may write anywhere: not judged through a helper
        out = []
        verb = self.helper_verbs.get(sink.rule, f"passes it to {target}")
        for key, params in args:
            if isinstance(key, int):
                if key < sink.skip_positional or (sink.positional is not None and key not in sink.positional):
                    continue
                if sink.key_value is not None and key == sink.key_value[0]:
                    continue
            elif key not in ("*", "**"):
                if (
                    key in sink.skip_keywords
                    or sink.keywords == "none"
                    or (isinstance(sink.keywords, frozenset) and key not in sink.keywords)
                ):
                    continue
            out.append((params, sink.rule, verb))
        return out

    def raise_sink(self, target: str):
        """For the project index: (rule, active verb) when a helper raising `target` with its
        parameter in the message makes the caller's argument exposed, else None. None: a
        helper that raises with its parameter (`raise KeyError(f"No such user: {name}")`)
        hands the exception to its caller, who mostly handles it; on real code nearly all such
        paths ended in a handler, so the finding belongs where an exception is logged or
        shown, not at every call of a validating helper."""
        return None

    @staticmethod
    def _to_console(ctx, call: cst.Call, sink: Sink) -> bool:
        """Whether a call that can write to any stream (`print(..., file=toc)`) writes to the
        console: no stream given, or one named as the console (`sys.stderr`, `self.stdout`)."""
        from gdpr_lint.analysis.names import split_words

        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in sink.stream_keywords:
                stream = arg.value
                if type(stream) is cst.Name:  # `out = sys.stdout if path is None else open(path)`
                    binding = ctx.scope.lookup(stream.value)
                    stream = binding.value if binding is not None and binding.value is not None else stream
                words = split_words(ctx.source(stream).replace(".", "_"))
                return not sink.console_streams.isdisjoint(words)
        return True

    def _wants_sink(self, rule: str) -> bool:
        """A sink is looked at for its own rule, and for GDPR108 (a weak digest reaching it)."""
        return self.wants(rule) or self.wants("GDPR108")

    def _report(self, ctx, rule: str, node, taint, verb: str, target: str) -> None:
        plain, digests = taint.split_hashed()
        if digests:  # an unsalted digest of an e-mail address is no pseudonym (GDPR108)
            if self.wants("GDPR108"):
                self._report_digests(ctx, node, digests, verb, target)
                taint = plain
            if not taint:
                return
        description = taint.describe()
        plural = len(taint.categories) > 1 or " and " in description
        ctx.report(
            rule,
            node,
            f"{description} {'are' if plural else 'is'} {verb}",
            categories=taint.categories,
            confidence=taint.confidence,
            facts={"sink": target, "categories": list(taint.categories), "confidence_reason": taint.reason},
        )

    def _report_digests(self, ctx, node, digests, verb: str, target: str) -> None:
        algorithms = sorted({s.hashed for s in digests.sources})
        description = digests.describe()
        ctx.report(
            "GDPR108",
            node,
            f"an unsalted {'/'.join(algorithms)} digest of {description} is {verb}: a dictionary of candidates "
            f"reverses it, so it is still personal data",
            categories=digests.categories,
            confidence=digests.confidence,
            facts={"sink": target, "categories": list(digests.categories), "digest": algorithms},
        )

    # ---- raise --------------------------------------------------------------------------

    def on_raise(self, ctx, node: cst.Raise) -> None:
        if not self.wants("GDPR103") or type(node.exc) is not cst.Call:
            return
        taint = EMPTY
        target = ctx.resolve_call(node.exc.func) or _dotted(node.exc.func) or "exception"
        echoed = target.rsplit(".", 1)[-1] in self.echoed_exceptions
        factory = _is_factory(target)
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
                value = value.capped(
                    "low",
                    "an argument of an exception factory or a field of the exception, "
                    "not its message: not known to reach the exception's text",
                )
            taint = taint.union(value)
        if taint and echoed:
            taint = taint.restricted(self.echoed_reported)  # a form error shown to whoever typed it
        if taint and self.answers.is_command_error(ctx, node.exc.func, target):
            taint = self.answers.echoed_to_operator(taint)  # `CommandError(f"no user {username}")`
        status = self.answers.response_status(ctx, node.exc, target) if taint else None
        if status is not None:
            taint = self.answers.as_response(taint, target, status)  # `NotFound(...)`, `HTTPException(404, ...)`
        handled = self.answers.handled_by_project(ctx, node.exc.func, self._exposes) if taint else None
        if handled is not None:
            taint = self.answers.as_handled(taint, target, handled)  # `raise MassActionError(...)`
        caught = self.answers.caught_quietly(ctx, target, lambda call: self._is_sink_call(ctx, call)) if taint else None
        if caught is not None:
            taint = taint.capped(
                "low", f"caught in the same function (line {caught}) by a handler that neither logs nor re-raises it"
            )
        if taint:
            kind = self.kb.tables.get("exposure", {}).get("sink-kinds", {}).get("GDPR103", "exception messages")
            ctx.observe(
                "sent",
                node.exc,
                rule="GDPR103",
                categories=sorted(taint.categories),
                sink=kind,
                recipient="",
                target=target,
            )
            self._report(ctx, "GDPR103", node.exc, taint, self.exception_verb, target)

    def _exposes(self, target: Optional[str], method: str) -> bool:
        """For the project index: whether a call of a handler may expose what it is given,
        by its resolved target, or, when its receiver is unknown (`self.logger.info`), by its
        method's name: one of a log's or the console's (GDPR101, GDPR102)."""
        if target is not None:
            return target in self.sinks or target in self.flags or target.rsplit(".", 1)[-1] in self.method_sinks
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
        if keyword in self.message_keywords or _builds_text(arg.value):
            return True
        if factory:
            return False  # `raise build_error(provider=p, original=e)`, `raise _denied(auth_info)`
        if keyword is None:
            return True
        formats = _formats_field(ctx, call.func, keyword)
        return True if formats is None else formats  # an imported class may format it (`UnauthorizedError(user=...)`)


_PLACEHOLDER = re.compile(r"%(\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])")


def _numeric_arguments(ctx, args) -> FrozenSet[int]:
    """The positions of the arguments that a literal %-format string (the first positional
    argument) formats as numbers: `("%s has %d tokens", name, count)` gives {2}."""
    first = args[0] if args and args[0].keyword is None and not args[0].star else None
    if first is None or type(first.value) not in (cst.SimpleString, cst.ConcatenatedString, cst.Name):
        return frozenset()
    text = ctx.constant(first.value)
    if text is None or not isinstance(text.value, str) or "%" not in text.value:
        return frozenset()
    numeric = set()
    position = 0
    for match in _PLACEHOLDER.finditer(text.value):
        if match.group(2) == "%":
            continue
        if match.group(1):
            return frozenset()  # `%(name)s`: a mapping, not positions
        position += 1
        if match.group(2) in "diouxXeEfFgG":
            numeric.add(position)
    return frozenset(numeric)


def _format_labels(ctx, args) -> Dict[int, str]:
    """The text before each placeholder of a literal %-format string (the first positional
    argument), by the position of the argument it formats (0 the first after the string)."""
    first = args[0] if args and args[0].keyword is None and not args[0].star else None
    if first is None or type(first.value) not in (cst.SimpleString, cst.ConcatenatedString, cst.Name):
        return {}
    text = ctx.constant(first.value)
    if text is None or not isinstance(text.value, str) or "%" not in text.value:
        return {}
    return percent_labels(text.value)


def _is_factory(target: str) -> bool:
    """A function that builds the exception (`build_error`, `self._denied`), not its class."""
    last = target.rsplit(".", 1)[-1].lstrip("_")
    return bool(last) and last[0].islower()


def _builds_text(value) -> bool:
    t = type(value)
    if t is cst.FormattedString or t is cst.ConcatenatedString:
        return True
    if t is cst.BinaryOperation:
        return type(value.operator) in (cst.Modulo, cst.Add)
    if t is cst.Call and type(value.func) is cst.Attribute:
        return value.func.attr.value in ("format", "format_map", "join")
    return False


def _formats_field(ctx, func, keyword: str) -> Optional[bool]:
    """Whether a class of this module puts keyword `keyword` into its text; None for a class
    the module does not define."""
    if type(func) is not cst.Name:
        return None
    binding = ctx.scope.lookup(func.value)
    scope = getattr(binding.value, "scope", None) if binding is not None else None
    node = getattr(scope, "node", None)
    if type(node) is not cst.ClassDef:
        return None
    text = ctx.source(node)
    return (
        re.search(r"\{[^{}\n]*\b" + re.escape(keyword) + r"\b", text) is not None
        or re.search(r"%[^\n]*\b" + re.escape(keyword) + r"\b", text) is not None
    )


def _dotted(node) -> str:
    from gdpr_lint.syntax.nodes import dotted_name

    return dotted_name(node) or ""


def _key_argument(args, sink: Sink):
    """The key of a key-value sink, by position or by one of its key keywords."""
    for arg in args:
        if arg.keyword is not None and arg.keyword.value in sink.key_keywords:
            return arg.value
    return _positional(args, sink.key_value[0]) if sink.key_value is not None else None


def _positional(args, index: int):
    i = 0
    for arg in args:
        if arg.keyword is None and not arg.star:
            if i == index:
                return arg.value
            i += 1
    return None


CHECK = ExposureCheck
