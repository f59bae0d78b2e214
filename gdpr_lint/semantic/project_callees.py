"""Where a called project helper sends its arguments, and what it gives back of them (a mixin
of the engine's Context, through semantic/project_use.ProjectMixin): `notify(user.email)`
where notify() writes its parameter to a log (`callee_flows`, for the exposure check), and
`remove_linebreaks(username)` that returns its parameter (`callee_passes`, for taint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import libcst as cst

from gdpr_lint.analysis.names import split_words
from gdpr_lint.syntax.nodes import dotted_name

if TYPE_CHECKING:
    from gdpr_lint.analysis.flow import Taint
    from gdpr_lint.analysis.pii import PiiVocabulary
    from gdpr_lint.semantic.project_use import FileProject
    from gdpr_lint.semantic.scope import Const, Definition


class ProjectCallees:
    """A mixin of the Context: the project helpers a call names, followed to their sinks."""

    project: Optional[FileProject] = None

    if TYPE_CHECKING:  # provided by the Context and its other mixins
        vocab: PiiVocabulary

        def taint(self, node: Any) -> Taint: ...
        def definition(self, node: Any) -> Optional[Definition]: ...
        def constant(self, node: Any) -> Optional[Const]: ...
        def _render(self, node: Any) -> str: ...
        def _method_form(self, func) -> Optional[list]: ...
        def _callee_form(self, func, target: Optional[str]) -> Optional[list]: ...
        def _project_callee(self, func, target: Optional[str]) -> Optional[Tuple[FileProject, list]]: ...

    def callee_passes(self, call: cst.Call, target: Optional[str]) -> Optional["Taint"]:
        """The data a call of a project function gives back of its arguments: those passed for
        a parameter its `return`s give back whole (`remove_linebreaks(username)` with `return
        value.replace("\\n", "")`). None when the callee is not a project function or gives
        back none of the arguments this call passes with data."""
        project = self.project
        if project is None or not call.args:
            return None
        form = self._method_form(call.func) or self._callee_form(call.func, target)
        if form is None:
            return None
        index = project.index
        key = _key(form)
        known = key in project.functions  # an earlier call of this file named it
        if known:
            found = project.functions[key]
            if found is None or self._giving(found) is None:
                return None  # a helper that gives back none of its parameters: no taint needed
        carrying = [(arg, self.taint(arg.value)) for arg in call.args if not arg.star]
        if not any(taint or self._person_object(arg.value) for arg, taint in carrying):
            return None  # judged before any summary is read: no data, no person whose fields it may give
        if not known:
            found = project.functions[key] = project.ask(index.function, form, project.path)
        if found is None:
            return None
        summary = self._giving(found)
        if summary is None:
            return None
        shift = found[2]
        passes = summary.get("passes", ())
        gives = summary.get("gives", ())
        params = summary["params"][shift:]
        result = None
        for position, (arg, taint) in enumerate(carrying):
            param = (
                arg.keyword.value if arg.keyword is not None else (params[position] if position < len(params) else None)
            )
            if taint and param in passes:
                result = taint if result is None else result.union(taint)
            if param is not None and gives and self._person_object(arg.value):
                for field in gives:  # `contact_of(user)` with `return user.email`: what `user.email` carries
                    root, _, tail = field.partition(".")
                    if root == param:
                        node = arg.value
                        for attr in tail.split("."):
                            node = cst.Attribute(value=node, attr=cst.Name(attr))
                        given = self.taint(node).through(self._render(call))  # `contact_of(user), from user.email`
                        if given:
                            result = given if result is None else result.union(given)
        return result

    def callee_judged(self, call: cst.Call, target: Optional[str], category: str) -> Optional[Tuple[str, str]]:
        """(confidence, reason) of what a getter of another project module returns, named
        after `category` (`lu.get_session_id(context.state)`), judged where its body reads the
        value (the callee's name, parameters, module and folder), not where it is called: a
        session id read in `logging_util.py` is no surer a login's for being logged from a SAML
        backend. None when the callee is not such a function or its body returns nothing the
        summary shows (then its name is all there is, judged here)."""
        asked = self._project_callee(call.func, target)
        if asked is None:
            return None
        project, form = asked
        key = _key(form)
        if key not in project.functions:
            project.functions[key] = project.ask(project.index.function, form, project.path)
        found = project.functions[key]
        if found is None or found[0] == project.path:
            return None  # this module's own functions are walked: their returns say it
        module = project.ask(project.index.summary, found[0])
        function = module["functions"].get(found[1]) if module is not None else None
        if function is None or not function.get("returns"):
            return None
        from gdpr_lint.analysis.confidence import module_words, package_words

        shown = project.shown(found[0])  # its words as the project names it, not where it lies
        name = found[1].rsplit(".", 1)[-1]
        words = set(split_words(name))
        for param in function["params"][found[2] :] + function.get("kwonly", []):
            words.update(split_words(param))
        verdict = self.vocab.judge.judge(
            category,
            name,
            "medium",
            scope_words=frozenset(words),
            module_words=module_words(shown),
            package_words=package_words(shown),
        )
        return verdict.confidence, f"{verdict.reason}, where `{name}` reads it ({shown})"

    def _giving(self, found: Tuple[str, str, int]) -> Optional[dict]:
        """The summary of the project function when it gives back a parameter or its fields."""
        project = self.project
        assert project is not None  # asked only when the run has a project index
        module = project.ask(project.index.summary, found[0])  # a function's head says it: no whole summary
        summary = module["functions"].get(found[1]) if module is not None else None
        return summary if summary is not None and (summary.get("passes") or summary.get("gives")) else None

    def _person_object(self, node) -> bool:
        """`user`, `self.member`, `request.user`, `order.customer`: an object named as a person
        or their account, whose fields a project helper may give back (`display_name(user)`).
        Only these are followed: a summary read for every call with a name in it costs more
        than the rare helper of another object gives."""
        name = dotted_name(node) if type(node) in (cst.Name, cst.Attribute) else None
        if not name:
            return False
        if name in self.vocab.request_bases:
            return True  # the request a person sent: `audit_record(request)` with `request.remote_addr`
        owners = self.vocab.judge.person_owners
        return any(self.vocab.fold(word) in owners for word in split_words(name))

    def callee_flows(self, call: cst.Call, target: Optional[str], sinks) -> List[Tuple]:
        """Where a called project function sends the arguments of this call:
        [(argument node, parameter, rule, verb, callee, steps)], steps being (path shown,
        line, what is called there). A parameter whose own name says it is personal data is
        left out: the helper's own finding (at its sink) covers it."""
        project = self.project
        if project is None or not call.args:
            return []
        form = self._method_form(call.func) or self._callee_form(call.func, target)
        if form is None:
            return []
        index = project.index
        key = _key(form)
        callees = project.callees.get(key)  # known when an earlier call of this file named it
        if callees is not None:
            if not callees:
                return []
            if all(index.found_no_sinks(path, name) for path, name, _ in callees):
                for path, name, _ in callees:  # the files the answer read, for the result cache
                    project.ask(index.param_sinks, path, name, sinks)
                return []  # a helper that sends nothing anywhere: its arguments' taint is not needed
        # only a call given personal data can pass it on: judged before any summary is read
        # (resolving every call's callee first reads far more summaries than the taint costs)
        if not any(not arg.star and self.taint(arg.value) for arg in call.args):
            return []
        if callees is None:
            found = project.ask(index.function, form, project.path)
            # `n.send(x)` with `n: Notifier`: also the subclasses' overrides (semantic/project_overrides.py)
            callees = project.callees[key] = ([found] if found is not None else []) + project.ask(
                index.overrides, form, project.path
            )
        out: List[Tuple] = []
        reported = set()
        for path, name, shift in callees:
            for entry in self._callee_flows(call, path, name, shift, sinks):
                # one finding per argument and rule (the exposure check groups them); every
                # sink the argument reaches is a place of that finding
                key = (id(entry[0]), entry[2], entry[5][-1][:2])
                if key not in reported:
                    reported.add(key)
                    out.append(entry)
        return out

    def _callee_flows(self, call: cst.Call, path: str, name: str, shift: int, sinks) -> List[Tuple]:
        project = self.project
        assert project is not None  # asked only when the run has a project index
        index = project.index
        summary = index.function_summary(path, name)
        flows = project.ask(index.param_sinks, path, name, sinks)
        if not flows or summary is None:
            return []
        params = summary["params"][shift:]  # a method bound to an instance is not passed `self`
        named = set(params) | set(summary.get("kwonly", ()))
        # each parameter's arguments: the rest of the positions are `*args`', other keywords `**kwargs`'
        arguments: Dict[str, List[cst.BaseExpression]] = {}
        position = 0
        for arg in call.args:
            if arg.star:
                continue
            if arg.keyword is not None:
                param = arg.keyword.value if arg.keyword.value in named else summary.get("varkw")
            else:
                param = params[position] if position < len(params) else summary.get("varargs")
                position += 1
            if param is not None:
                arguments.setdefault(param, []).append(arg.value)
        out = []
        for param, rule, verb, steps, switch in flows:
            if param not in arguments or self.vocab.classify(param) is not None:
                continue
            if switch is not None and self._switched_off(call.func, *switch):
                continue  # `ResponseCache(..., enable_logging=False)`: that object never logs
            shown = [(project.shown(p), line, what) for p, line, what in steps]
            for node in arguments[param]:
                out.append((node, param, rule, verb, (project.shown(path), summary["line"], name), shown))
        return out

    def _switched_off(self, func, param: str, false_default: bool) -> bool:
        """Whether the object a method is called on was built with the flag that turns the
        flow on false: `cache = ResponseCache(enable_logging=False)` (or `self.cache = ...`
        set once), or not given at all when its default is false."""
        if type(func) is not cst.Attribute:
            return False
        made: Any = func.value
        if type(made) is not cst.Call:
            definition = self.definition(made) if type(made) in (cst.Name, cst.Attribute) else None
            made = definition.value if definition is not None else None
        if type(made) is not cst.Call:
            return False  # built elsewhere: whatever the caller chose
        for arg in made.args:
            if arg.keyword is not None and arg.keyword.value == param:
                folded = self.constant(arg.value)
                return folded is not None and not folded.value
            if arg.star:
                return False
        return false_default and not any(arg.keyword is None for arg in made.args)


def _key(form) -> tuple:
    """A call form (nested lists) as a dictionary key."""
    return tuple(_key(part) if type(part) is list else part for part in form)
