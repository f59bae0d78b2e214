"""A third-party id: a record's `address` read beside its `medium`.

Matrix's identity servers and homeservers keep a person's e-mail address or phone number as a
"3PID", `{"medium": "email", "address": "alice@example.org"}`: sydent's
`logger.info("Successfully deleted invite for %s", assoc["address"])` after
`deleteTokens(assoc["medium"], assoc["address"])`, or `assocObj.medium, assocObj.address`. A bare
`address` says nothing (a postal one, a server's, a memory address); read from a record whose
`medium` the same function also reads, it is one of a person's contact addresses
([pii.request-sources] medium-address: the key, its sibling, the category).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from gdpr_lint.syntax.nodes import dotted_name, nodes_under, string_value


def reads_sibling(function: cst.CSTNode, container: str, sibling: str) -> bool:
    """Whether the function reads `sibling` from the record written `container`
    (`assoc["medium"]`, `assoc.get("medium")`, `assoc.medium`)."""
    for node in nodes_under(function):
        kind = type(node)
        if kind is cst.Attribute:
            if node.attr.value == sibling and dotted_name(node.value) == container:
                return True
        elif kind is cst.Subscript:
            if len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
                if _key(node.slice[0].slice.value) == sibling and dotted_name(node.value) == container:
                    return True
        elif kind is cst.Call:
            func = node.func
            if type(func) is cst.Attribute and func.attr.value == "get" and node.args:
                if _key(node.args[0].value) == sibling and dotted_name(func.value) == container:
                    return True
    return False


def _key(node) -> Optional[str]:
    if type(node) is not cst.SimpleString:
        return None
    value = string_value(node)
    return value if isinstance(value, str) else None
