"""What a row of a raw SQL query holds under a key: the column its query selects.

oncall reads its rows by the names its queries give them: `row['name']` of a query selecting
`` `user`.`name` `` is a user's name, of one selecting `` `team`.`name` `` a team's. The key alone
(`name`) says nothing; the SELECT list says which table's column it is, and the table qualifies
the column as an attribute's owner does (`user.name`). Only a row the function reads from a cursor
whose queries it executes with a literal (or a constant it folds): `cursor.execute(query, ...)`,
then `for row in cursor.fetchall()` / `rows = cursor.fetchall(); for row in rows` / `row =
cursor.fetchone()`.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

import libcst as cst

_FETCHES = frozenset(("fetchall", "fetchmany", "fetchone"))
_SELECT = re.compile(r"\bSELECT\s+(?:DISTINCT\s+)?(.*?)\s+FROM\s+[`\"\[]?(\w+)", re.IGNORECASE | re.DOTALL)
_ALIAS = re.compile(r"^(.*?)\s+(?:AS\s+)?[`\"\[]?(\w+)[`\"\]]?$", re.IGNORECASE | re.DOTALL)
_COLUMN = re.compile(r"^(?:[`\"\[]?(\w+)[`\"\]]?\.)?[`\"\[]?(\w+)[`\"\]]?$")


def query_column(host, container, key: str) -> Optional[Tuple[str, str]]:
    """(table, column) a row's `key` reads, from the SELECT list of the queries its cursor
    executes in the function; None when unknown or when the queries disagree."""
    cursor = _cursor_of(host, container)
    if cursor is None:
        return None
    function = host.scope.node if host.scope.kind == "function" else None
    if function is None:
        return None
    found = None
    for query in _executed(host, function, cursor):
        for table, column, name in _select_list(query):
            if name == key:
                if found is not None and found != (table, column):
                    return None
                found = (table, column)
    return found


def _cursor_of(host, container) -> Optional[str]:
    if type(container) is not cst.Name:
        return None
    source = host.loop_iterable(container)
    if source is None:
        binding = host.scope.lookup(container.value)
        source = binding.value if binding is not None else None
    for _ in range(2):
        if type(source) is cst.Name:
            binding = host.scope.lookup(source.value)
            value = binding.value if binding is not None else None
            if not (
                isinstance(value, cst.Call) and type(value.func) is cst.Attribute and value.func.attr.value in _FETCHES
            ):
                return source.value if _made_cursor(value) else None  # `for row in cursor:`
            source = value
        if (
            type(source) is cst.Call
            and type(source.func) is cst.Attribute
            and source.func.attr.value in _FETCHES
            and type(source.func.value) is cst.Name
        ):
            return source.func.value.value
    return None


def _made_cursor(value) -> bool:
    """`connection.cursor(...)`, `db.cursor()`: a cursor the function made."""
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute):
        return func.attr.value == "cursor"
    return isinstance(func, cst.Name) and func.value == "cursor"


def _executed(host, function, cursor: str) -> List[str]:
    """The queries the function executes on `cursor` (found once per function and cursor)."""
    memo = host.__dict__.setdefault("_sql_executed", {})
    kept = memo.get((id(function), cursor))
    if kept is not None and kept[0] is function:
        return kept[1]
    queries: List[str] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node) -> None:
            func = node.func
            if (
                type(func) is cst.Attribute
                and func.attr.value == "execute"
                and type(func.value) is cst.Name
                and func.value.value == cursor
                and node.args
            ):
                folded = host.constant(node.args[0].value)
                if folded is not None and isinstance(folded.value, str):
                    queries.append(folded.value)

    function.visit(_Finder())
    memo[(id(function), cursor)] = (function, queries)
    return queries


def _select_list(query: str) -> List[Tuple[str, str, str]]:
    """[(table, column, the key a row gives it)] of a query's SELECT list (the FROM table for
    an unqualified column); [] for any other statement."""
    match = _SELECT.search(query)
    if match is None:
        return []
    out = []
    for item in _split(match.group(1)):
        item = item.strip()
        name = None
        aliased = _ALIAS.match(item)
        if aliased is not None and _COLUMN.match(aliased.group(1).strip()):
            item, name = aliased.group(1).strip(), aliased.group(2)
        column = _COLUMN.match(item)
        if column is None:
            continue
        out.append((column.group(1) or match.group(2), column.group(2), name or column.group(2)))
    return out


def _split(text: str) -> List[str]:
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return parts
