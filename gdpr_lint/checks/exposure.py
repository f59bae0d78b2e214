"""GDPR1xx: personal data written to logs, output, exceptions, telemetry and URLs.

Which calls are sinks, and which of their arguments carry data, is data in
rules/exposure.toml; this module only interprets it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

from gdpr_lint._lazy import cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.analysis.pii import personal_data_tokens
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


class ExposureCheck(Check):
    family = "exposure"

    def __init__(self, kb, config, enabled_codes):
        super().__init__(kb, config, enabled_codes)
        table = kb.tables.get("exposure", {})
        verbs = table.get("verbs", {})
        self.sinks: Dict[str, Sink] = {}
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
            )
            for target in spec["targets"]:
                self.sinks[target] = sink
        self.flags = {flag["target"]: flag for flag in table.get("flags", ())}
        exceptions = table.get("exceptions", {})
        self.exception_skip = frozenset(exceptions.get("skip-keywords", ()))
        self.echoed_exceptions = frozenset(exceptions.get("echoed", ()))
        self.echoed_reported = frozenset(exceptions.get("echoed-still-reported", ()))
        self.message_keywords = frozenset(exceptions.get("message-keywords", ()))
        self.exception_verb = verbs.get("GDPR103", "put in an exception message")
        self.sink_tokens = tuple(table.get("sink-tokens", ()))

    def prefilter_tokens(self):
        return personal_data_tokens(self.kb.tables, self.config) + ["send_default_pii"]

    # ---- calls --------------------------------------------------------------------------

    def on_call(self, ctx, call: cst.Call, target: Optional[str]) -> None:
        if target is None:
            return
        sink = self.sinks.get(target)
        if sink is not None:
            if self.wants(sink.rule):
                self._check_sink(ctx, call, target, sink)
            return
        flag = self.flags.get(target)
        if flag is not None and self.wants(flag["rule"]):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == flag["keyword"]:
                    value = ctx.constant(arg.value)
                    if value is not None and value.value == flag["value"]:
                        ctx.report(flag["rule"], arg, flag["message"], categories=flag.get("categories", ()),
                                   confidence="high", facts={"sink": target, "setting": flag["keyword"]})

    def _check_sink(self, ctx, call: cst.Call, target: str, sink: Sink) -> None:
        taint = EMPTY
        index = 0
        args = call.args
        if sink.stream_keywords and not self._to_console(ctx, call, sink):
            return
        numeric = _numeric_arguments(ctx, args)  # `log.debug("%i -> %i", last_token, next_token)`
        for arg in args:
            if arg.star:
                taint = taint.union(ctx.taint(arg.value))
                continue
            if arg.keyword is not None:
                name = arg.keyword.value
                if name in sink.skip_keywords or sink.keywords == "none":
                    continue
                if isinstance(sink.keywords, frozenset) and name not in sink.keywords:
                    continue
                taint = taint.union(ctx.keyed_taint(name, arg.value))
                continue
            position = index
            index += 1
            if position < sink.skip_positional:
                continue
            if sink.positional is not None and position not in sink.positional:
                continue
            if sink.key_value is not None and position == sink.key_value[1]:
                key = _positional(args, sink.key_value[0])
                taint = taint.union(ctx.keyed_taint(key, arg.value) if key is not None else ctx.taint(arg.value))
                continue
            value = ctx.taint(arg.value)
            if value and position in numeric:
                value = value.capped("low", "formatted as a number (%d, %i, %f): a count, a position or an id",
                                     ambiguous_only=True)
            taint = taint.union(value)
        if taint:
            self._report(ctx, sink.rule, call, taint, sink.verb, target)

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

    def _report(self, ctx, rule: str, node, taint, verb: str, target: str) -> None:
        description = taint.describe()
        plural = len(taint.categories) > 1 or " and " in description
        ctx.report(
            rule, node, f"{description} {'are' if plural else 'is'} {verb}",
            categories=taint.categories, confidence=taint.confidence,
            facts={"sink": target, "categories": list(taint.categories), "confidence_reason": taint.reason},
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
                value = value.capped("low", "an argument of an exception factory or a field of the exception, "
                                            "not its message: not known to reach the exception's text")
            taint = taint.union(value)
        if taint and echoed:
            taint = taint.restricted(self.echoed_reported)  # a form error shown to whoever typed it
        if taint:
            self._report(ctx, "GDPR103", node.exc, taint, self.exception_verb, target)


    def _reaches_text(self, ctx, call, arg, factory: bool) -> bool:
        """Whether an argument of `raise X(...)` is in the exception's text: the message (a
        message keyword, or text built with an f-string, `%`, `+` or `.format`), any positional
        argument of an exception class (its str shows them all), or a keyword that a class of
        the module formats into its message (`super().__init__(f"... {email}")`)."""
        keyword = arg.keyword.value if arg.keyword is not None else None
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
    return re.search(r"\{[^{}\n]*\b" + re.escape(keyword) + r"\b", text) is not None \
        or re.search(r"%[^\n]*\b" + re.escape(keyword) + r"\b", text) is not None


def _dotted(node) -> str:
    from gdpr_lint.syntax.nodes import dotted_name

    return dotted_name(node) or ""


def _positional(args, index: int):
    i = 0
    for arg in args:
        if arg.keyword is None and not arg.star:
            if i == index:
                return arg.value
            i += 1
    return None


CHECK = ExposureCheck
