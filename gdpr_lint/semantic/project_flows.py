"""Where a project function sends its parameters (a mixin of semantic/project.ProjectIndex):
each flow of its summary followed to a sink of the catalogues, through the project's own
functions and methods, with the `__init__` parameter that switches a flow on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple


class ProjectFlows:
    """A mixin of ProjectIndex: the sinks a function's parameters reach."""

    if TYPE_CHECKING:  # provided by ProjectIndex

        def summary(self, path: str) -> Optional[dict]: ...
        def function_summary(self, path: str, name: str) -> Optional[dict]: ...
        def resolve(self, form, path: str, depth: int = 0) -> Optional[tuple]: ...
        def _tracked(self, key: tuple, compute: Callable): ...

        _memo: Dict[tuple, tuple]

    def param_sinks(self, path: str, name: str, sinks) -> list:
        """Where the function's parameters go: [(parameter, rule, verb, steps, switch)], steps
        being [(file, line, callee name)] from the function's call down to the sink's line,
        switch (parameter, default false) the `__init__` parameter of the object's class that
        turns the flow on (a call under `if self._enable_logging:`), or None.
        `sinks` (the exposure check) says which calls and raises are sinks."""
        return self._tracked(("sinks", path, name), lambda: self._param_sinks(path, name, sinks)) or []

    def found_no_sinks(self, path: str, name: str) -> bool:
        """Whether param_sinks() has already answered that the function sends none of its
        parameters to a sink (most project functions): a call of it needs no taint."""
        hit = self._memo.get(("sinks", path, name))
        return hit is not None and not hit[0]

    def _param_sinks(self, path: str, name: str, sinks) -> list:
        function = self.function_summary(path, name)
        if function is None:
            return []
        out = []
        own = _own_class(function, name)
        for flow in function.get("flows", ()):
            form, args, line, keywords, caught = flow[:5]
            switch = self._switch(path, own[1], flow[5]) if own and len(flow) > 5 and flow[5] is not None else None
            target = self.resolve(_bind_self(form, *own) if own else form, path)
            if target is None:
                continue
            if target[0] in ("dotted", "kind"):
                text = target[1] if target[0] == "dotted" else f"<{target[1]}>"
                message_first = len(flow) > 6 and bool(flow[6])
                for params, rule, verb in sinks.call_sinks(text, args, keywords, message_first):
                    for param in params:
                        out.append((param, rule, verb, [(path, line, _shown(text))], switch))
            elif target[0] in ("fn", "method"):
                inner = self.function_summary(target[1], target[2])
                if inner is None:
                    continue
                shift = 1 if target[0] == "method" else 0
                # `self.other(x)`: a flag the other method tests is one of the same object
                same = own is not None and form[:2] == ["attr", ["param", own[0]]]
                for param, rule, verb, steps, inner_switch in self.param_sinks(target[1], target[2], sinks):
                    if caught and steps[-1][2].startswith("raise "):
                        continue  # the caller catches what the callee raises
                    for key, params in args:
                        if _parameter_at(inner, key, shift) == param:
                            for given in params:
                                step = [(path, line, target[2] + "()")] + steps
                                out.append((given, rule, verb, step, switch or (inner_switch if same else None)))
        for form, params, line in function.get("raises", ()):
            target = self.resolve(form, path)
            text = target[1] if target is not None and target[0] == "dotted" else (form[1] if form[0] == "name" else "")
            found = sinks.raise_sink(text)
            if found is not None:
                rule, verb = found
                for param in params:
                    out.append((param, rule, verb, [(path, line, f"raise {text.rsplit('.', 1)[-1]}()")], None))
        return out

    def _switch(self, path: str, cls: str, flag: str, seen: int = 0) -> Optional[tuple]:
        """(parameter, whether its default is false) of the `__init__` parameter that sets
        `self.flag` in class `cls` (or a base), or None when no parameter does."""
        summary = self.summary(path)
        found = summary.get("classes", {}).get(cls) if summary is not None else None
        if found is None or seen > 4:
            return None
        switch = found.get("switches", {}).get(flag)
        if switch is not None:
            return switch[0], bool(switch[1])
        for base in found.get("bases", ()):
            target = self.resolve(base, path)
            if target is not None and target[0] == "class":
                answer = self._switch(target[1], target[2], flag, seen + 1)
                if answer is not None:
                    return answer
        return None


def _shown(target: str) -> str:
    """`<logger>.info` as `logger.info()`."""
    return target.replace("<", "").replace(">", "") + "()"


def _own_class(function: dict, name: str) -> Optional[Tuple[str, str]]:
    """(the `self` parameter, its class) of a method `Class.method` that has one."""
    if "." not in name or function.get("static") or not function["params"]:
        return None
    return function["params"][0], name.rsplit(".", 1)[0]


def _bind_self(form, own: str, cls: str):
    """The form with the method's `self` parameter as an instance of its class."""
    if not isinstance(form, list):
        return form
    if form == ["param", own]:
        return ["inst", cls]
    if form == ["super", None]:
        return ["super", ["name", "@" + cls]]
    return [_bind_self(part, own, cls) for part in form]


def _parameter_at(function: dict, key, shift: int = 0) -> Optional[str]:
    """The parameter of `function` that an argument given at `key` (a position, a keyword,
    "*" or "**" for a starred one) binds: the rest of the positions bind `*args`, other
    keywords `**kwargs`."""
    if key == "*":
        return function.get("varargs")
    if key == "**":
        return function.get("varkw")
    if isinstance(key, int):
        params = function["params"]
        key += shift
        return params[key] if key < len(params) else function.get("varargs")
    if key in function["params"] or key in function.get("kwonly", ()):
        return key
    return function.get("varkw")
