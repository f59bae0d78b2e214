"""The exposure check's foundation: the sinks, writes, endpoints and flags it reads from
rules/exposure.toml, its prefilter tokens, what a sink call's arguments are and where it writes
(the console, a URL's host), and how a finding or a `sent` observation is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, FrozenSet, Optional

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

from gdpr_lint.analysis.pii import personal_data_tokens
from gdpr_lint.analysis.param_callers import judged_by_callers
from gdpr_lint.checks.answers import Answers
from gdpr_lint.checks.base import Check
from gdpr_lint.checks.exposure_state import (
    Sink,
    Write,
    nth_positional,
)


class ExposureBase(Check):
    """The tables, sink lookups and reports every layer of the exposure check builds on."""

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
                external_url=bool(spec.get("external-url", False)),
            )
            for target in spec["targets"]:
                self.sinks[target] = sink
            for method in spec.get("methods", ()):
                self.method_sinks[method] = sink
        self.logger_other_methods = frozenset(table.get("logger-other-methods", ()))
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
        # Flask's `session` is a signed cookie unless the project installs a server-side store
        server = table.get("server-sessions", {})
        self.server_session_kinds = frozenset(server.get("kinds", ()))
        self.server_session_markers = (
            tuple(server.get("attributes", ())),
            tuple(server.get("modules", ())),
            tuple(server.get("cookie-interfaces", ())),
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
        self.handler_answers = frozenset(exceptions.get("handler-answers", ()))
        # the last names of the framework's HTTP answers (`HTTPException`, `Http404`): a handler that
        # raises one of them instead of the caught exception drops the caught text (catching_callers.py)
        self.response_names = frozenset(
            pattern.rsplit(".", 1)[-1]
            for pattern in (*exceptions.get("responses", ()), *exceptions.get("status-responses", ()))
            if not any(c in pattern.rsplit(".", 1)[-1] for c in "*?[")
        )
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

    def _observe_sent(self, ctx, node, rule: str, taint, target: str, recipient: str) -> None:
        """The inventory's record of where data goes, for sinks that are not [[exposure.sinks]]
        calls (endpoints, writes)."""
        kind = self.kb.tables.get("exposure", {}).get("sink-kinds", {}).get(rule, "")
        ctx.observe(
            "sent", node, rule=rule, categories=sorted(taint.categories), sink=kind, recipient=recipient, target=target
        )

    @staticmethod
    def _url_host(ctx, call: cst.Call, sink: Sink) -> str:
        """The host a URL sink sends to, when the URL is known (`crm.example.com`), else ""."""
        if sink.rule != "GDPR105":
            return ""
        from gdpr_lint.checks.base import keyword
        from gdpr_lint.checks.residency_catalog import host_of

        url = keyword(call, "url") or nth_positional(call.args, min(sink.positional or {0}))
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

    def logger_level_sink(self, target: str, message_first: bool) -> Optional[Sink]:
        """The sink of a logger's method the catalogue does not list, called with a message
        first (`logger.security("login of %s", ...)`: a level the project adds): `<logger>.info`'s;
        None for any other target, and for the methods that configure or query a logger
        (`[exposure] logger-other-methods`)."""
        if not message_first or not target.startswith("<logger>.") or target in self.sinks:
            return None
        if target[len("<logger>.") :] in self.logger_other_methods:
            return None
        return self.sinks.get("<logger>.info")

    def call_sinks(self, target: str, args, keywords=(), message_first: bool = False) -> list:
        """For the project index: which of a call's arguments (given as [position or keyword,
        parameters]) reach the sink `target` is: [(parameters, rule, active verb)].
        `keywords`: all the keywords the call passes; `message_first`: its first argument is a
        message written out (a logger's method the catalogue does not list is then a level)."""
        sink = self.sinks.get(target) or self.logger_level_sink(target, message_first)
        if sink is None or not sink.stream_keywords.isdisjoint(keywords) or sink.external_url:
            # print(..., file=out) may write anywhere, redirect(url) may stay on the site: not
            # judged through a helper
            return []
        out = []
        verb = self.helper_verbs.get(sink.rule, f"passes it to {target}")
        for key, params in args:
            if isinstance(key, int):
                if key < sink.skip_positional or (sink.positional is not None and key not in sink.positional):
                    continue
                if sink.key_value is not None and key == sink.key_value[0]:
                    continue
            elif key == "**":
                if sink.keywords == "none" or isinstance(sink.keywords, frozenset):
                    continue  # `request(method, url, **kwargs)`: the callers' `json=` is no `params=`
            elif key != "*":
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

    @staticmethod
    def _to_kind(ctx, call: cst.Call, sink: Sink, kind: str) -> bool:
        """Whether the stream a call writes to (`print(..., file=fh)`) is an object of `kind`."""
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in sink.stream_keywords:
                return ctx.kind(arg.value) == kind
        return False

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
        taint = judged_by_callers(ctx, taint)  # `from_email` every caller fills from the settings
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
