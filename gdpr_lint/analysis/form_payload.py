"""A form logged whole (`logger.debug("Update share: %s", form.cleaned_data)`) is what a user sent,
but only as much as the form asks for: a form of the project whose fields name no personal data,
by their names or by what their definitions spell (`name`, `description`, `owner` with
`CharField`s; not `email`, nor `contact = forms.EmailField()`, nor a `PasswordInput` widget), holds
a thing's settings, not a person's (low). The fields come from the project index
(semantic/form_fields.py); a form whose fields are not all known is judged as before (medium).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from gdpr_lint.analysis.names import project_class_name, split_words

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst


def form_fields_reason(ctx, node) -> Optional[str]:
    """The reason `node` (`form.cleaned_data`, `form.data`) holds no personal data when the
    form, bound in this function to a call of a form class of the project, asks for none;
    None otherwise."""
    bases = ctx.vocab.payload_form_bases
    project = ctx.project
    if not bases or project is None or type(node) is not cst.Attribute or type(node.value) is not cst.Name:
        return None
    binding = ctx.scope.lookup(node.value.value)
    value = binding.value if binding is not None else None
    if type(value) is not cst.Call:
        return None
    dotted = project_class_name(ctx, value.func)
    if not dotted:
        return None
    fields = project.ask(project.index.form_fields, dotted, project.path, bases)
    if not fields:
        return None
    classify = ctx.vocab.classify
    for name, spelled in fields:
        if classify(name) or any(classify(word) for each in spelled for word in split_words(each)):
            return None
    names = ", ".join(name for name, _ in fields[:6]) + (", ..." if len(fields) > 6 else "")
    return f"a {dotted.rsplit('.', 1)[-1].lstrip('@')} passed on whole: its fields ({names}) name no personal data"
