"""What a name holds after an `if`/`else` that assigns it on both sides.

The walker binds names in order, so after

    if "username" in item["user"]:
        username = item["user"]["username"]
    else:
        username = "no_username_found"

the `else` side's constant would be all the analysis knows of `username`, and the learner's
username logged after it would go unseen. A constant fallback adds nothing to what the other
side carries: the name keeps the personal data the `if` side assigned it (the `else` side's own
value is kept for everything else, such as folding the constant).
"""

from __future__ import annotations

from typing import Dict

import libcst as cst

from gdpr_lint.semantic.scope import Binding

_CONSTANTS = (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)


def _is_constant(value) -> bool:
    if type(value) is cst.Name:
        return value.value in ("None", "True", "False")
    return type(value) in _CONSTANTS


def join_constant_fallbacks(bindings: Dict[str, Binding], after_body: Dict[str, Binding]) -> None:
    """Names the `else` side rebound to a constant keep the data the `if` side gave them."""
    for name, binding in bindings.items():
        earlier = after_body.get(name)
        if earlier is None or earlier is binding or not earlier.taint or binding.taint:
            continue
        if _is_constant(binding.value):
            binding.taint = earlier.taint
