"""What a message shows of an object it formats whole.

`log.debug(response)` after `response = requests.post(url, data=body)` writes `str(response)`:
requests' and httpx's responses print as `<Response [200]>` (urllib's as its class and address),
neither the body that was sent nor the one that came back. Their text (`response.text`,
`response.json()`) is another matter: what the server answered about the request, carried as
every response is ([pii.flow] response-functions). Which calls make such a response is data
([pii.flow] plain-repr-responses in rules/pii.toml); aiohttp's, whose repr shows its URL, is
not one of them.

The sinks of GDPR101/GDPR102 say which names an argument formats whole (`formatted_whole`):
the argument itself, a value of an f-string, of a `%` or `.format()` text, of `str()`/`repr()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst


def formatted_whole(expr, depth: int = 0) -> Iterator:
    """The Name nodes `expr` shows as their `str()` or `repr()`."""
    if depth > 8:
        return
    t = type(expr)
    if t is cst.Name:
        yield expr
    elif t is cst.FormattedString:
        for part in expr.parts:
            if type(part) is cst.FormattedStringExpression:
                yield from formatted_whole(part.expression, depth + 1)
    elif t is cst.BinaryOperation and type(expr.operator) in (cst.Modulo, cst.Add):
        right = expr.right
        values = [e.value for e in right.elements] if type(right) is cst.Tuple else [right]
        for value in [expr.left, *values]:
            yield from formatted_whole(value, depth + 1)
    elif t is cst.ConcatenatedString:
        yield from formatted_whole(expr.left, depth + 1)
        yield from formatted_whole(expr.right, depth + 1)
    elif t is cst.Call:
        func = expr.func
        shown = (type(func) is cst.Name and func.value in ("str", "repr")) or (
            type(func) is cst.Attribute and func.attr.value == "format"
        )
        if shown:
            for arg in expr.args:
                yield from formatted_whole(arg.value, depth + 1)


def plain_repr_response(ctx, binding) -> str:
    """The call that made the response `binding` holds when its repr shows none of the data
    (`requests.post`), else ""."""
    value = binding.value
    if type(value) is cst.Await:
        value = value.expression
    if type(value) is not cst.Call:
        return ""
    func = value.func
    if type(func) is cst.Attribute and func.attr.value in ctx.vocab.sources.server_responses:
        return func.attr.value  # an OAuth 2.0 server's answer: a Flask or Django response
    target = ctx.resolve(func) or ""
    return target if target in ctx.vocab.plain_repr_responses else ""


def shown_whole(ctx, node, binding, taint):
    """The taint of `node` where a message formats it whole: no surer than low when it holds a
    response that prints as its status."""
    made = plain_repr_response(ctx, binding)
    if not made:
        return taint
    return taint.capped(
        "low",
        f"`{node.value}` holds the response of {made}() formatted whole: it prints as its status "
        "(`<Response [200]>`), not the data sent or received",
    )
