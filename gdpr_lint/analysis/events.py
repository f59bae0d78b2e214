"""Who sent a Lambda handler's event: a user (through a user-facing API) or an AWS service.

The knowledge (event keys and data classes by source) is rules/events.toml; this module reads
a handler's parameter annotation, its converting decorator and the keys its body reads from
the event. Asked only for functions that look like handlers (`handler(event, context)`).
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from gdpr_lint._lazy import cst


_CACHE: Dict[int, "EventSources"] = {}


def event_sources(tables: dict) -> "EventSources":
    """The event sources of a knowledge catalogue, read once per catalogue."""
    found = _CACHE.get(id(tables))
    if found is None or found.tables is not tables:
        found = _CACHE[id(tables)] = EventSources(tables)
    return found


class EventSources:
    def __init__(self, tables: dict):
        self.tables = tables
        events = tables.get("events", {}) or {}
        self.by_key: Dict[str, Tuple[str, bool]] = {}
        self.by_type: Dict[str, Tuple[str, bool]] = {}
        marks = []  # quoted keys that mark a handler's code as serving a user-facing API
        for source in events.get("sources", ()):
            entry = (source["name"], bool(source.get("user", False)))
            for key in source.get("keys", ()):
                self.by_key[key] = entry
            if entry[1]:
                named = [k for k in source.get("keys", ()) if k != k.lower()] + list(source.get("answer-keys", ()))
                marks += [q + k + q for k in dict.fromkeys(named) for q in "\"'"]
            for name in source.get("types", ()):
                self.by_type[name] = entry
        self.user_marks: Tuple[str, ...] = tuple(marks)
        converters = events.get("converters", {}) or {}
        self.converters = frozenset(converters.get("calls", ()))
        self.converter_keyword = converters.get("keyword", "data_class")

    def service_source(self, ctx, function, param) -> Optional[str]:
        """The AWS service that sends the events of `function`'s parameter `param`, when the
        code says so and says nothing of a user's request; else None."""
        found = self.source(ctx, function, param)
        return found[0] if found is not None and not found[1] else None

    def user_source(self, ctx, function, param) -> Optional[str]:
        """The user-facing API (API Gateway, a function URL, an ALB) whose requests reach
        `param`, when the code says so; else None."""
        found = self.source(ctx, function, param)
        return found[0] if found is not None and found[1] else None

    def source(self, ctx, function, param) -> Optional[Tuple[str, bool]]:
        """(name, user-facing) of the source of `param`'s events, by its annotation, an
        `@event_source` converter or the keys the handler reads (a user-facing key wins)."""
        from gdpr_lint.syntax.nodes import dotted_name

        found = None
        annotation = getattr(param, "annotation", None)
        if annotation is not None:
            name = (dotted_name(annotation.annotation) or "").rsplit(".", 1)[-1]
            found = self.by_type.get(name)
            if found is not None:
                return found
        for decorator in getattr(function, "decorators", ()):
            call = decorator.decorator
            if type(call) is cst.Call and (
                ctx.resolve_call(call.func) in self.converters or dotted_name(call.func) == "event_source"
            ):
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == self.converter_keyword:
                        entry = self.by_type.get((dotted_name(arg.value) or "").rsplit(".", 1)[-1])
                        if entry is not None:
                            return entry
        service = None
        for key in _keys_read(function.body, param.name.value):
            entry = self.by_key.get(key)
            if entry is None:
                continue
            if entry[1]:
                return entry  # a user-facing API's request
            service = service or entry
        return service


def _keys_read(body, name: str):
    """String keys read from `name` or from what is read from it: `event["Records"][0]["s3"]`,
    `event.get("detail-type")`, and from the names given a part of it (`for record in
    event["Records"]: record["s3"]`, `detail = event["detail"]`)."""
    names = {name}
    for node in _walk(body):
        if type(node) is cst.For and type(node.target) is cst.Name and _rooted(node.iter, names):
            names.add(node.target.value)
        elif (
            type(node) is cst.Assign
            and len(node.targets) == 1
            and type(node.targets[0].target) is cst.Name
            and _rooted(node.value, names)
        ):
            names.add(node.targets[0].target.value)
    for node in _walk(body):
        t = type(node)
        if (
            t is cst.Subscript
            and _rooted(node.value, names)
            and len(node.slice) == 1
            and type(node.slice[0].slice) is cst.Index
            and type(node.slice[0].slice.value) is cst.SimpleString
        ):
            yield node.slice[0].slice.value.evaluated_value
        elif (
            t is cst.Call
            and type(node.func) is cst.Attribute
            and node.func.attr.value == "get"
            and _rooted(node.func.value, names)
            and node.args
            and type(node.args[0].value) is cst.SimpleString
        ):
            yield node.args[0].value.evaluated_value


def _walk(body):
    stack = [body]
    while stack:
        node = stack.pop()
        t = type(node)
        yield node
        if t in (cst.FunctionDef, cst.ClassDef, cst.Lambda) and node is not body:
            continue
        stack.extend(node.children)


def _rooted(node, names) -> bool:
    while True:
        t = type(node)
        if t is cst.Name:
            return node.value in names
        if t is cst.Subscript:
            node = node.value
        elif t is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value == "get":
            node = node.func.value
        else:
            return False
