"""Names a function uses as a signed-in account: `user.is_superuser`, `user.has_perm(...)`.

Django's user (`AbstractBaseUser.__str__`) prints as its username, so `logger.warning("... by
user %s", user)` writes the login name, whether `user` came from `request.user` (analysis/taint.py
knows that one) or is a parameter (`def is_accessible_by(self, user, request=None)`). A parameter
named `user` alone says nothing (an id, a database role, an OS account): what the function does
with it does. A name of `user-attributes` whose account attributes the same function reads
([pii.request-sources] account-attributes: `is_superuser`, `has_perm`, `get_username`) is such
an object. Read once per function, when a judgement needs it.
"""

from __future__ import annotations

from typing import FrozenSet, Optional, Tuple

import libcst as cst


def account_objects(
    function: cst.CSTNode, names: FrozenSet[str], attributes: FrozenSet[str]
) -> Tuple[Tuple[str, str], ...]:
    """(name, attribute) for each name of `names` the function reads one of `attributes` from,
    the first attribute seen (for the finding's reason)."""
    found: dict = {}

    class _Reads(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
            value = node.value
            if type(value) is cst.Name and value.value in names and node.attr.value in attributes:
                found.setdefault(value.value, node.attr.value)
            return True

    function.visit(_Reads())
    return tuple(found.items())
