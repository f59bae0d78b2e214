"""Residency in infrastructure code (AWS CDK, Pulumi, CDK for Terraform): the part of
ResidencyCheck that knows stacks, providers and the loops that make them.

- A project's subclass of an SDK class stands for the class (`BillingStack(app, "Billing",
  env=...)`), through analysis/classes.py.
- A stack, environment or provider that holds only global resources ([residency.global_resources]:
  a CloudFront certificate, a Route 53 zone) is in us-east-1 because those services are: its region
  is not judged. One held in a name is judged at the end of the file, by all its uses.
- Regions that reach a sink through a loop or a comprehension over a constant list, enum members
  ([residency.enums]) and test modules' sample data ([residency.test_data]).
"""

from __future__ import annotations

import fnmatch
import re
from typing import List, Optional, Set

from gdpr_lint._lazy import cst as _cst
from gdpr_lint.analysis import classes
from gdpr_lint.checks.base import keyword as _keyword_arg
from gdpr_lint.checks.residency_judge import RegionJudge
from gdpr_lint.checks.residency_state import Value, dotted


class InfrastructureRules(RegionJudge):
    """The residency check's knowledge of stacks, providers and loops, over the judgements of
    RegionJudge."""

    # --- stacks and providers of global resources ---------------------------------------------
    def _class_targets(self, ctx, call) -> List[str]:
        """The SDK classes a project's class call stands for: its bases when the class is
        defined in the module, else the sinks' own classes when it is imported from the project
        under a name that says what it is (`from billing.stacks import BillingStack`)."""
        inherited = classes.inherited_targets(ctx, call.func)
        if inherited and self.sinks.match(inherited):
            return inherited
        found: List[str] = list(inherited)
        for sink in self.class_sinks:
            names = sink.get("project_classes", ())
            roots = tuple({c.split(".", 1)[0] for c in sink.get("calls", ())})
            if not names:
                continue
            # the class imported from the project, or defined in the module (`class
            # BillingStack(BaseStack)` with `from common.base import BaseStack`; the pre-filter
            # drops such a class when its body has no token, leaving the name unbound)
            if classes.imported_project_class(ctx, call.func, names, roots) or classes.local_project_class(
                ctx, call.func, names, roots
            ):
                found.extend(sink.get("calls", ())[:1])
        return found

    def _global_class(self, ctx, classdef) -> bool:
        """Whether every construct a class creates (`acm.Certificate(self, ...)`) is a global
        resource or neutral (outputs, providers, backends), and one at least is global."""
        cached = self._file(ctx).global_classes.get(id(classdef))
        if cached is not None:
            return cached
        result = False
        for construct in classes.construct_calls(ctx, classdef):
            target = ctx.resolve(construct.func)
            if target and self.global_resources.match([target]):
                result = True
            elif not (target and self.global_neutral.match([target])):
                result = False
                break
        self._file(ctx).global_classes[id(classdef)] = result
        return result

    def _in_global_class(self, ctx) -> bool:
        scope = ctx.scope
        while scope is not None and getattr(scope, "kind", None) != "class":
            scope = getattr(scope, "parent", None)
        return (
            scope is not None
            and type(getattr(scope, "node", None)) is _cst.ClassDef
            and self._global_class(ctx, scope.node)
        )

    def _global_stack_call(self, ctx, call) -> bool:
        """A call of a stack class that holds only global resources: one defined in the module,
        judged by its body, or one imported from the project, by its name (`CertificateStack`)."""
        if type(call.func) is not _cst.Name:
            return False
        scope = classes.class_scope(ctx, call.func)
        if scope is not None:
            return self._global_class(ctx, scope.node)
        if not self.global_stack_words or not self._class_targets(ctx, call):
            return False
        words = {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", call.func.value)}
        return bool(words & self.global_stack_words)

    def _note_stack_env(self, ctx, call) -> None:
        """A stack's `env=`: an Environment built there for a stack of global resources is not
        judged; an environment held in a name is judged by all the stacks given it."""
        env = _keyword_arg(call, "env")
        if env is None:
            return
        is_global = self._global_stack_call(ctx, call)
        if type(env) is _cst.Call:
            if is_global:
                self._file(ctx).global_nodes.add(id(env))
        elif type(env) in (_cst.Name, _cst.Attribute):
            self._file(ctx).uses.setdefault(dotted(env) or "", []).append(is_global)

    def _note_provider_use(self, ctx, call, targets) -> None:
        """`provider=us_east` on a resource (also in `opts=ResourceOptions(provider=...)` or
        `providers=[...]`): whether the resource that uses a provider held in a name is global."""
        if self.global_neutral.match(targets):
            return  # `pulumi.ResourceOptions(provider=...)` itself: the resource around it decides
        refs: list = []
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value not in ("provider", "providers", "opts"):
                continue
            value = arg.value
            if arg.keyword.value == "opts":
                if type(value) in (_cst.Name, _cst.Attribute):
                    definition = ctx.definition(value)
                    value = definition.value if definition is not None else None
                if type(value) is not _cst.Call:
                    continue
                value = _keyword_arg(value, "provider") or _keyword_arg(value, "providers")
            if type(value) in (_cst.List, _cst.Tuple):
                refs.extend(e.value for e in value.elements)
            elif type(value) is _cst.Dict:
                refs.extend(e.value for e in value.elements if type(e) is _cst.DictElement)
            elif value is not None:
                refs.append(value)
        if not refs:
            return
        is_global = bool(self.global_resources.match(targets))
        for ref in refs:
            if type(ref) in (_cst.Name, _cst.Attribute):
                self._file(ctx).uses.setdefault(dotted(ref) or "", []).append(is_global)

    @staticmethod
    def _bound_name(ctx, call) -> Optional[str]:
        """The name a call's result is assigned to (`us_east = aws.Provider(...)`), if any."""
        stmt = ctx.stmt
        if type(stmt) is not _cst.SimpleStatementLine:
            return None
        for small in stmt.body:
            if type(small) is _cst.Assign and small.value is call and len(small.targets) == 1:
                return dotted(small.targets[0].target)
            if type(small) is _cst.AnnAssign and small.value is call:
                return dotted(small.target)
        return None

    def _check_comprehension(self, ctx, comp, done: Set[tuple]) -> None:
        """`replicas=[dynamodb.ReplicaTableProps(region=r) for r in REPLICA_REGIONS]`: a region
        sink built once per item of a constant list judges each item."""
        elt, loop = comp.elt, comp.for_in
        if type(elt) is not _cst.Call or loop.inner_for_in is not None or type(loop.target) is not _cst.Name:
            return
        items = self._const(ctx, loop.iter)
        if items is None or not isinstance(items.value, (list, tuple)):
            return
        origin = items.origin or dotted(loop.iter) or "the items looped over"
        for sink in self.sinks.match(self._targets(ctx, elt, ctx.resolve_call(elt.func))):
            for path in sink.get("args", ()):
                expr = self._arg(ctx, elt, path)
                if type(expr) is _cst.Name and expr.value == loop.target.value:
                    for item in items.value:
                        if isinstance(item, str):
                            self._judge_region(ctx, elt, sink["provider"], item, origin, path, sink, done)

    def _test_module(self, ctx) -> bool:
        """A test module ([residency.test_data]): `tests/...`, `test_*.py`, `conftest.py`."""
        path = str(ctx.path or "").replace("\\", "/")
        cached = self._file(ctx).test_module
        if cached is None:
            parts = path.split("/")
            spec = self.catalog.table.get("test_data", {}) or {}
            cached = self._file(ctx).test_module = any(p in spec.get("folders", ()) for p in parts[:-1]) or any(
                fnmatch.fnmatchcase(parts[-1], pattern) for pattern in spec.get("files", ())
            )
        return cached

    def _enum_member(self, ctx, expr, provider) -> list:
        """`region=aws.Region.US_EAST1` ([residency.enums]): the region id the member stands for."""
        if type(expr) is not _cst.Attribute or not self.enums:
            return []
        target = ctx.resolve(expr) or ""
        owner, _, member = target.rpartition(".")
        if self.enums.get(owner, {}).get("provider") != provider or not member:
            return []
        text = re.sub(r"(?<=[a-z])(\d+)$", r"-\1", member.lower().replace("_", "-"))
        if self.catalog.lookup(provider, text) is None and self.catalog.lookup(provider, text + "-1") is not None:
            text += "-1"
        return [Value(text, f"{dotted(expr) or target}")]

    def _loop_items(self, ctx, expr) -> list:
        """`location=cluster["location"]` in `for cluster in CLUSTERS:` over a constant list of
        per-cluster dicts: the value of that key in each of them. A stack, environment or provider
        made once per region (`for region in REGIONS: aws.Provider(..., region=region)`): each
        region; not a client made per region, which mostly lists what is there."""
        if type(expr) is _cst.Name and self._holder:
            iterable = ctx.loop_iterable(expr)
            items = self._const(ctx, iterable) if iterable is not None else None
            if items is None or not isinstance(items.value, (list, tuple)):
                return []
            source = items.origin or dotted(iterable) or "the items looped over"
            return [Value(item, f"{source}, looped over") for item in items.value if isinstance(item, str)]
        if (
            type(expr) is not _cst.Subscript
            or type(expr.value) is not _cst.Name
            or len(expr.slice) != 1
            or type(expr.slice[0].slice) is not _cst.Index
        ):
            return []
        iterable = ctx.loop_iterable(expr.value)
        items = self._const(ctx, iterable) if iterable is not None else None
        key = self._const(ctx, expr.slice[0].slice.value)
        if items is None or key is None or not isinstance(items.value, (list, tuple)):
            return []
        source = items.origin or dotted(iterable) or "the items looped over"
        return [
            Value(item[key.value], f"{source}, looped over")
            for item in items.value
            if isinstance(item, dict) and key.value in item
        ]
