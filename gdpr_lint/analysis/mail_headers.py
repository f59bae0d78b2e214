"""Whether a name holds an e-mail message, whose address headers name people.

`msg["From"]`, `msg.get("to")` of an e-mail message are its sender's and recipients' names and
addresses; of any other mapping, `"from"` and `"to"` are as often the ends of a range
(`params["from"]`, a date). A name holds a message when the function reads, sets or deletes a
header only mail has on it (`del msg["reply-to"]`, `msg["Message-ID"]`: [pii.flow]
mail-only-headers), or calls a method only a message has (`msg.get_payload()`,
`msg.is_multipart()`: [pii.flow] message-methods). Asked only for a key that is an address header.
"""

from __future__ import annotations

from gdpr_lint._lazy import cst
from gdpr_lint.syntax.nodes import nodes_under, string_value


def holds_mail_message(function, name: str, vocab) -> bool:
    """Whether `name` is an e-mail message in `function` (see the module docstring)."""
    if function is None:
        return False
    for node in nodes_under(function):
        kind = type(node)
        if kind is cst.Subscript and type(node.value) is cst.Name and node.value.value == name:
            element = node.slice[0].slice if node.slice else None
            key = string_value(element.value) if element is not None and type(element) is cst.Index else None
            if key is not None and _mail_only(key, vocab):
                return True
        elif kind is cst.Call and type(node.func) is cst.Attribute:
            owner = node.func.value
            if type(owner) is not cst.Name or owner.value != name:
                continue
            method = node.func.attr.value
            if method in vocab.message_methods:
                return True
            if method in ("get", "get_all") and node.args:
                key = string_value(node.args[0].value)
                if key is not None and _mail_only(key, vocab):
                    return True
    return False


def _mail_only(key: str, vocab) -> bool:
    return key.lower() in vocab.mail_only_headers
