"""A parameter judged by what its callers pass.

`def send_email(server, from_email, to_emails): raise ValueError(f"Invalid from address:
{from_email}")` names an e-mail address; whose, the function does not say. When every call
the project makes of it (semantic/callers.py) passes, for that parameter, a value that the
confidence rules judge no person's where it is read (`settings.MAIL_FROM`: the server's own
configured mailbox; `enterprise_customer.name`: an organisation's name), the parameter holds
that and nothing else: no surer than low. One call that passes a person's value, a value
that is not a plain dotted name (`user.email.lower()`, a call), a call that leaves it out,
or a function passed around as a value, keeps the parameter as its name says; so does a
function nothing in the project calls (a library's API).

Asked only for what reaches a sink (checks/exposure_base.py), and only for the categories
the configuration and organisation rules speak of ([pii.confidence] config-categories,
organisation-categories).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Tuple

from gdpr_lint.analysis.names import split_words

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst

_LOW = "low"


def judged_by_callers(ctx, taint):
    """`taint` with each parameter source that every caller passes no person's value for
    capped at low (see the module docstring)."""
    project = getattr(ctx, "project", None)
    if project is None or not taint:
        return taint
    judge = ctx.vocab.judge
    categories = judge.config_categories | judge.organisation_categories
    for source in taint.sources:
        if source.confidence == _LOW or source.category not in categories or type(source.node) is not cst.Name:
            continue
        reason = _callers_reason(ctx, source.category, source.node.value)
        if reason is not None:
            taint = taint.capped(_LOW, reason, where=lambda s, node=source.node: s.node is node)
    return taint


def _callers_reason(ctx, category: str, name: str) -> Optional[str]:
    found = _parameter(ctx.scope, name)
    if found is None:
        return None
    function, position, method = found
    project = ctx.project
    given = project.ask(project.index.every_call_argument, project.path, function, name, position, method)
    if not given:
        return None
    for dotted in given:
        if not _nobodys(ctx, category, dotted):
            return None
    shown = ", ".join(f"`{d}`" for d in sorted(set(given))[:2])
    return (
        f"every call of {function}() in the project passes {shown} as `{name}`: "
        "configuration or an organisation's, no person's"
    )


def _parameter(scope, name: str) -> Optional[Tuple[str, Optional[int], bool]]:
    """(the function, the parameter's position among the positional ones, counting `self`
    for a method; whether it is a method) when `name` is a parameter of the function that
    binds it and nothing rebinds it; else None."""
    while scope is not None and name not in scope.bindings:
        scope = scope.parent
    if scope is None or scope.kind == "module" or type(scope.node) is not cst.FunctionDef:
        return None
    binding = scope.bindings[name]
    if binding.value is not None or binding.defs > 1 or name not in scope.param_names:
        return None
    function = scope.node
    params = function.params
    positional = [p.name.value for p in list(params.posonly_params) + list(params.params)]
    position: Optional[int] = positional.index(name) if name in positional else None
    method = scope.class_scope is not None
    if method and any(
        type(d.decorator) is cst.Name and d.decorator.value == "staticmethod" for d in function.decorators
    ):
        position = position + 1 if position is not None else None
    if function.name.value.startswith("__"):
        return None
    return function.name.value, position, method


def _nobodys(ctx, category: str, dotted: str) -> bool:
    """Whether `dotted` (`settings.MAIL_FROM`), named as `category` where a caller reads it, is
    the configuration's or an organisation's by the confidence rules."""
    parts = dotted.split(".")
    vocab = ctx.vocab
    if len(parts) < 2 or category not in (
        vocab.classify(parts[-1], context=parts[-2]),
        vocab.classify(parts[-1], key=True),  # `settings.ALERTS_SENDER_EMAIL`: a setting's name
    ):
        return False
    judge = vocab.judge
    owner_words = tuple(w for part in parts[:-1] for w in split_words(part))
    at = next((i for i, part in enumerate(parts[:-1]) if part.lower() in judge.config_owners), None)
    settings = tuple(w for part in parts[at:] for w in split_words(part)) if at is not None else ()
    return judge.nobodys(category, parts[-1], owner_words, settings) is not None
