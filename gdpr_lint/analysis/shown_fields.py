"""What an object of a class of the module shows when it is formatted whole: the fields its own
`__str__` (or, lacking one, `__repr__`) returns.

django-newsletter's `Subscription.__str__` returns `"%(name)s <%(email)s> to %(newsletter)s"`
of `self.name` and `self.email`, so `logger.debug("Subscribing subscription %s.", self)` writes
a subscriber's name and e-mail address, as `logger.debug("Submitting message to: %s.",
subscription)` does in another class of the module. A class whose text shows a title, a slug or
an id (`return self.title`) shows nothing of a person. The attributes are judged as the class's
fields are (a declared `EmailField`, a `ForeignKey` to the user model, or the name: `email`; a
bare `name` only where the class is a person's: `Subscriber.name`, not `Newsletter.name`).

Which objects are of the class: `self` in one of its methods, a parameter annotated with it,
and a parameter or loop variable named as the class is (`subscription` for `Subscription`,
`mailing_list_member` for `MailingListMember`): Django code names a model's object after its
model. Known for the classes the walk has reached (a class is pre-passed where it is defined).
"""

from __future__ import annotations

import re
from typing import List, Optional

import libcst as cst

from gdpr_lint.syntax.nodes import nodes_under

_TEXT_METHODS = ("__str__", "__repr__")


def text_fields(classdef: cst.ClassDef) -> List[cst.Attribute]:
    """`self.<attr>` read in the return values of the class's own `__str__` (or `__repr__`),
    each once, sorted by name; attributes of attributes (`self.user.email`) as the outer one."""
    body = classdef.body.body if type(classdef.body) is cst.IndentedBlock else ()
    methods = {stmt.name.value: stmt for stmt in body if type(stmt) is cst.FunctionDef}
    method = next((methods[name] for name in _TEXT_METHODS if name in methods), None)
    if method is None or not method.params.params:
        return []
    own = method.params.params[0].name.value
    found: List[cst.Attribute] = []
    seen = set()
    for node in nodes_under(method):
        if type(node) is not cst.Return or node.value is None:
            continue
        for sub in nodes_under(node.value):
            if type(sub) is cst.Attribute and type(sub.value) is cst.Name and sub.value.value == own:
                if sub.attr.value not in seen:
                    seen.add(sub.attr.value)
                    found.append(sub)
    found.sort(key=lambda a: a.attr.value)
    return found


def class_named(name: str, classes) -> Optional[str]:
    """The class of `classes` a variable is named after (`subscription` -> `Subscription`,
    `mailing_list_member` -> `MailingListMember`), or None."""
    if not name or not name[0].islower():
        return None
    camel = "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)
    return camel if camel in classes and re.fullmatch(r"[a-z][a-z0-9_]*", name) else None
