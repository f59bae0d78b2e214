"""A function's parameters bound: the personal data and the object kind each holds, by its
name, annotation, default and the function it belongs to.
"""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY
from gdpr_lint.analysis.param_docs import documented_category
from gdpr_lint.engine.context import Context
from gdpr_lint.semantic.resolve import _annotation_name
from gdpr_lint.semantic.scope import Binding, Scope


class ParameterMixin(Context):
    """Parameters bound when the walk enters a function."""

    def _service_event(self, scope: Scope, param: cst.Param) -> bool:
        from gdpr_lint.analysis.events import event_sources

        return event_sources(self.kb.tables).service_source(self, scope.node, param) is not None

    def _bind_param(self, param: cst.Param, scope: Scope) -> None:
        name = param.name.value
        if name == scope.self_name:
            scope.bindings[name] = Binding(name, None)
            return
        annotation = _annotation_name(param.annotation)
        taint = EMPTY
        kind = None
        if annotation is not None:
            category = self.vocab.classify_type(annotation)
            if category is not None:
                taint = self._taint_source(category, param.name, "high")
            kind = self.types.get(annotation) or self.types.get(annotation.rsplit(".", 1)[-1])
        non_data = annotation is not None and annotation.rsplit(".", 1)[-1] in self.vocab.non_data_types
        if not taint and not non_data:
            taint = self._taint_source(
                self.vocab.classify(name), param.name, type_name=annotation.rsplit(".", 1)[-1] if annotation else None
            )
        if not taint and not non_data and annotation is None and scope.kind == "function":
            # `:param sender: The sender's email address.`: what the docstring says it is
            documented = documented_category(scope.node, name, self.vocab)
            if documented is not None:
                taint = self._taint_source(
                    documented, param.name, "medium", reason=f"the docstring describes `{name}` as one"
                )
        if not taint and (
            name in self.vocab.payload_names
            or (
                self.vocab.payload_handler_params.get(name) in scope.param_names
                and not self._service_event(scope, param)
            )
        ):
            # DRF create(self, validated_data); AWS Lambda handler(event, context), unless an
            # AWS service sends the event (rules/events.toml)
            confidence, reason = self._payload_param_confidence(name, scope)
            taint = self._taint_source(self.vocab.payload_category, param.name, confidence, reason=reason)
        if (
            not taint
            and not non_data
            and name in ("value", "attrs")
            and scope.name.startswith("validate_")
            and scope.class_scope is not None
        ):
            # DRF/Django form field validators: validate_email(self, value)
            taint = self._taint_source(self.vocab.classify(scope.name[len("validate_") :], key=True), param.name)
        if kind is None and (param.annotation is not None or param.default is not None):
            kind = self.annotation_kind(param.annotation, param.default)
        if kind is None:
            kind = self._parameter_kind(name, scope) or self._conventional_kind(name)
        binding = Binding(name, None, taint, kind, None, param.name)
        binding.type_name = annotation.rsplit(".", 1)[-1] if annotation else None
        scope.bindings[name] = binding
        if not taint and param is getattr(getattr(scope.node, "params", None), "star_kwarg", None):
            # `**kwargs`: the callers' keywords (judged at each call); what the body adds under
            # a constant key is remembered by key (`kwargs.setdefault("auth", ...)`)
            scope.data["keyword params"] = binding

    def _parameter_kind(self, name: str, scope: Scope) -> Optional[str]:
        """The object a parameter holds by the function it is a parameter of
        ([[objects.parameters]]: Sentry's `before_send(event, hint)`, a logging.Filter's
        `filter(self, record)`, a structlog processor's `event_dict`)."""
        for entry in self.parameter_kinds:
            if name not in entry.get("names", ()):
                continue
            if "with" in entry and not any(other in scope.param_names for other in entry["with"]):
                continue
            if "functions" in entry and scope.name not in entry["functions"]:
                continue
            parts = self.path.replace("\\", "/").split("/")
            if any(package in parts for package in entry.get("not-in-packages", ())):
                continue
            return entry["kind"]
        return None

    def _payload_param_confidence(self, name: str, scope: Scope) -> Tuple[str, str]:
        """A handler's `event` is a user's request only when the handler serves an API: it
        reads or answers what an HTTP trigger carries (the user-facing source's keys and
        answer-keys in rules/events.toml); an executor's task command or a trigger's status
        dict is nobody's."""
        if name in self.vocab.payload_names:
            return "medium", f"`{name}`: the data of a form or request a user sent"
        from gdpr_lint.analysis.events import event_sources

        param = next((p for p in scope.node.params.params if p.name.value == name), None)
        api = event_sources(self.kb.tables).user_source(self, scope.node, param) if param is not None else None
        if api is not None:
            return "medium", f"`{name}` of a handler behind {api} (rules/events.toml)"
        keys = event_sources(self.kb.tables).user_marks
        text = self.module.code_for_node(scope.node) if keys else ""
        key = next((k for k in keys if k in text), None)
        if key is not None:
            return "medium", f"`{name}` of a handler that serves an HTTP API (it uses '{key}')"
        return "low", f"`{name}` of a handler that shows no sign of serving a user's request"
