"""A value the code opens as a file is a file's path (`[pii.flow] file-openers`): the name it
is read under names the file, not what the file holds.

`_logger.debug(f"Loading encryption key from {settings.DB_ENCRYPTION_KEY}")` followed by
`open(settings.DB_ENCRYPTION_KEY, "rb")` logs where the key is, not the key. Only the same
expression, written the same way, given as the first argument of an opener in the same
function (or module body): `open(settings.DB_ENCRYPTION_KEY)` says nothing of
`settings.DB_ENCRYPTION_KEY_ID`, nor of a key read from the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, FrozenSet

if TYPE_CHECKING:
    import libcst as cst
else:
    from gdpr_lint._lazy import cst


def opened_as_path(scope, node, resolve: Callable, openers: FrozenSet[str]) -> bool:
    """Whether `node` (a Name or an Attribute) is the file argument of an opener call in the
    body of the function (or module) `scope` belongs to. The opened paths are worked out once
    per scope and kept in its scratch space, so they go with the file's tree."""
    if not openers:
        return False
    while scope is not None and scope.kind not in ("function", "module"):
        scope = scope.parent
    body = getattr(scope, "node", None)
    if body is None:
        return False
    opened = scope.data.get("opened paths")
    if opened is None:
        opened = scope.data["opened paths"] = tuple(_opened(body, resolve, openers))
    return any(node.deep_equals(path) for path in opened)


def _opened(body, resolve: Callable, openers: FrozenSet[str]):
    from gdpr_lint.syntax.nodes import nodes_under

    for inner in nodes_under(body):
        if type(inner) is cst.Call and inner.args and inner.args[0].keyword is None:
            first = inner.args[0].value
            if type(first) in (cst.Name, cst.Attribute) and resolve(inner.func) in openers:
                yield first
