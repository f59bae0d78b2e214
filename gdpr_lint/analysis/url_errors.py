"""What an HTTP client's error says of its request.

requests' `HTTPError` reads "404 Client Error: Not Found for url: https://...?email=...", a
`ConnectionError` "Max retries exceeded with url: /api?email=...&ip=...", httpx's
`HTTPStatusError` "... for url '...'": the error names the URL it was raised for, its query
included. Caught around a request whose URL or query parameters carry personal data and logged
(`except RequestException as error: logger.exception(error)`), the error writes them. The
request is found in the `try` body, or in a function of the same module the body calls with the
data (misago's StopForumSpam check: `_real_validate_with_sfs(ip, email)` builds the URL from its
parameters). The request's body (`json=`, `data=`) is in no error's text. Which classes name their
URL is data ([pii.flow] url-errors in rules/pii.toml); urllib's `HTTPError` ("HTTP Error 404: Not
Found") does not.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Set

from gdpr_lint._lazy import cst
from gdpr_lint.analysis.flow import EMPTY, Taint

_NESTED = ("FunctionDef", "ClassDef", "Lambda")
_MAX_NODES = 4000  # a `try` body or a helper larger than this is not searched further


def handler_catches(ctx, handler, errors) -> bool:
    """Whether an `except` clause names one of `errors` (resolved names), alone or in a tuple."""
    if handler.type is None or not errors:
        return False
    caught = handler.type
    types = [e.value for e in caught.elements] if type(caught) is cst.Tuple else [caught]
    return any(ctx.resolve(t) in errors for t in types)


def caught_url_taint(ctx, try_stmt, handler) -> Taint:
    """The personal data the error caught by `handler` names in its request's URL."""
    if not handler_catches(ctx, handler, ctx.vocab.url_errors):
        return EMPTY
    result = EMPTY
    for call in _calls(try_stmt.body):
        result = result.union(_sent_url_taint(ctx, call))
    if not result or handler.name is None or type(handler.name.name) is not cst.Name:
        return result
    # a timeout's text ("Read timed out.") names no URL: medium at most
    return result.through(handler.name.name.value).capped(
        "medium", "an HTTP client's error names its request's URL when it fails to connect or gets an error status"
    )


def _sent_url_taint(ctx, call) -> Taint:
    """The taint of what `call` puts in a request's URL: its own URL when it sends one, else
    the arguments a module function it calls puts in one."""
    parts = _url_parts(ctx, call)
    if parts is not None:
        result = EMPTY
        for part in parts:
            result = result.union(ctx.taint(part))
        return result
    if type(call.func) is not cst.Name:
        return EMPTY
    function = ctx._module_function(call.func.value)
    if function is None:
        return EMPTY
    params = [p.name.value for p in function.params.params]
    used: Set[str] = set()
    for inner in _calls(function.body):
        for part in _url_parts(ctx, inner) or ():
            used.update(_names(part))
    result = EMPTY
    for position, arg in enumerate(call.args):
        if arg.star:
            continue
        if arg.keyword is not None:
            param: Optional[str] = arg.keyword.value
        else:
            param = params[position] if position < len(params) else None
        if param is not None and param in used:
            result = result.union(ctx.taint(arg.value))
    return result


def _url_parts(ctx, call) -> Optional[List]:
    """The URL and query parameters of a request `call` sends, or None when it sends none."""
    target = ctx.resolve(call.func)
    if target not in ctx.vocab.response_functions and target not in ctx.vocab.plain_repr_responses:
        return None
    parts = []
    positional = [a for a in call.args if a.keyword is None and not a.star]
    method_first = target is not None and target.rsplit(".", 1)[-1] == "request"  # `requests.request("GET", url)`
    index = 1 if method_first else 0
    if len(positional) > index:
        parts.append(positional[index].value)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ctx.vocab.url_error_keywords:
            parts.append(arg.value)
    return parts


def _calls(body) -> Iterator:
    """The calls in `body`, not those of a function or class defined in it."""
    stack = list(body) if isinstance(body, (list, tuple)) else [body]
    seen = 0
    while stack and seen < _MAX_NODES:
        node = stack.pop()
        seen += 1
        if type(node).__name__ in _NESTED:
            continue
        if type(node) is cst.Call:
            yield node
        stack.extend(node.children)


def _names(node) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            yield current.value
        stack.extend(current.children)
