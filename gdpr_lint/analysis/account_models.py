"""The auth user model where code names it: `User = get_user_model()`, `settings.AUTH_USER_MODEL`,
`"users.User"`, and the model fields that relate to it.

Django's user prints as its username (`AbstractBaseUser.__str__`). A model's
`user = models.ForeignKey(settings.AUTH_USER_MODEL, ...)` holds one, so `self.user` (or
`token.user`) formatted whole writes a login name; a relation to any other model (`Group`,
`"auth.Group"`, `Organization`) does not ([pii.request-sources] account-relations). A name
bound to `get_user_model()` is the user model as much as an import of `User` is, for the
judgements of analysis/account_uses.py (`user = User.objects.get(pk=pk)`).
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from gdpr_lint.syntax.nodes import _last_name

#: what a name bound to the user model resolves to, for account-types
USER_MODEL = "django.contrib.auth.models.AbstractBaseUser"
_SETTING = "django.conf.settings.AUTH_USER_MODEL"


def is_user_model(node, resolve: Callable[[cst.CSTNode], Optional[str]], lookup, vocab) -> bool:
    """`settings.AUTH_USER_MODEL`, `User` imported or bound to `get_user_model()`, `get_user_model()`
    itself, a model reference `"users.User"` / `"auth.User"`."""
    kind = type(node)
    if kind is cst.SimpleString:
        text = node.evaluated_value
        return isinstance(text, str) and text.rpartition(".")[2] == "User" and text.count(".") <= 1
    if kind is cst.Call:
        return resolve(node.func) in vocab.account_model_factories
    target = resolve(node)
    if target == _SETTING or target in vocab.account_types:
        return True
    if kind is cst.Name:
        binding = lookup(node.value)
        if binding is None:
            return False
        if binding.qualname:
            return binding.qualname.rpartition(".")[2] == "User"  # `from .models import User`
        value = binding.value
        return type(value) is cst.Call and resolve(value.func) in vocab.account_model_factories
    return False


def relation_to_user(call: cst.Call, resolve, lookup, vocab) -> Optional[str]:
    """`models.ForeignKey(settings.AUTH_USER_MODEL, ...)`: what the field is (for the reason)."""
    field = _last_name(call.func)
    if field not in vocab.account_relations:
        return None
    model = None
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            model = arg.value
            break
        if arg.keyword is not None and arg.keyword.value == "to":
            model = arg.value
            break
    if model is None or not is_user_model(model, resolve, lookup, vocab):
        return None
    return f"a {field} to the user model"


def account_resolver(resolve, lookup, vocab, project=None) -> Callable[[cst.CSTNode], Optional[str]]:
    """`resolve`, with a name bound to `get_user_model()` (or that call itself) resolving to the
    user model; and, with the project index, a name a module of the project re-exports
    (coldfront's `from coldfront.core.user.models import User`, a module that imports Django's
    `User`) resolving to what that module imports."""

    def resolved(node) -> Optional[str]:
        if type(node) is cst.Call:
            return USER_MODEL if resolve(node.func) in vocab.account_model_factories else None
        target = resolve(node)
        if target and project is not None and target[:1] != "<" and project.index.in_project(target, project.path):
            found = project.ask(project.index.resolve, ["name", target], project.path)
            if found is not None and found[0] == "dotted":
                return found[1]
        if target is None and type(node) is cst.Name:
            binding = lookup(node.value)
            if binding is not None and not binding.qualname:
                value = binding.value
                if type(value) is cst.Call and resolve(value.func) in vocab.account_model_factories:
                    return USER_MODEL
        return target

    return resolved


def imports_django(module: cst.Module) -> bool:
    """Whether the module imports Django at its top (`from django.db import models`)."""
    for statement in module.body:
        if type(statement) is not cst.SimpleStatementLine:
            continue
        for small in statement.body:
            if type(small) is cst.ImportFrom and not small.relative:
                if small.module is not None and _root(small.module) == "django":
                    return True
            elif type(small) is cst.Import:
                if any(_root(alias.name) == "django" for alias in small.names):
                    return True
    return False


def _root(node) -> str:
    while type(node) is cst.Attribute:
        node = node.value
    return node.value if type(node) is cst.Name else ""
