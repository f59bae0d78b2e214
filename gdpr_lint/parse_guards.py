"""The guards before a file's text is parsed by libcst: lines as Python counts them, CPython's
own parse (which refuses, quickly and safely, inputs that make libcst's parser hang), syntax
trees too deep for libcst, and whether a rejection may only be newer syntax.
"""

from __future__ import annotations

import re
from typing import List, Optional


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def python_lines(text: str) -> List[str]:
    """Lines as Python counts them (\n, \r\n, \r): str.splitlines also breaks at form
    feeds and other separators, which would shift every line number after one."""
    return _LINE.findall(text)


def python_syntax(text: str):
    """(tree, None) when CPython accepts the text, else (None, (line, column, message)).

    Runs before libcst sees a file: CPython's C parser refuses, quickly and safely, inputs
    that make libcst's parser hang or crash (thousands of nested brackets, huge operator
    chains), and such a file is GDPR001 whatever libcst would say."""
    import ast  # only files that pass the token filter need a syntax tree
    import warnings

    try:
        with warnings.catch_warnings():
            # the scanned code's own warnings (`"\d"` is a SyntaxWarning from Python 3.12)
            # are not ours to print, once per file and worker, into a CI log
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        from gdpr_lint.semantic.spelled_lines import note

        note(tree, text)  # for the file's own summary (semantic/spelled_lines.py)
        return tree, None
    except SyntaxError as exc:
        return None, (exc.lineno or 1, exc.offset or 1, exc.msg or "invalid syntax")
    except (RecursionError, MemoryError, OverflowError) as exc:
        return None, (1, 1, f"nesting too deep for Python to parse ({type(exc).__name__})")
    except ValueError as exc:  # NUL bytes
        return None, (1, 1, str(exc))


MAX_DEPTH = 1500  # deeper syntax trees make libcst's parser crawl (seconds per thousand levels)
_LONG_LINE = 5000


def too_deep(text: str, tree) -> Optional[int]:
    """The syntax tree's depth when it is beyond what libcst parses in reasonable time,
    else None. Such trees (thousands of chained operators) come with very long lines, so
    only files that have one pay for the walk."""
    import ast

    if max(map(len, text.split("\n")), default=0) < _LONG_LINE:
        return None
    stack = [(tree, 0)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


_TOO_DEEP = ("too many nested", "too complex", "too deep", "nesting", "recursion")


def only_newer_syntax(problem) -> bool:
    """Whether a CPython rejection may just be syntax newer than this interpreter (libcst
    may still parse it), rather than nesting that would make libcst hang or crash."""
    message = problem[2].lower()
    return not any(word in message for word in _TOO_DEEP) and "null bytes" not in message
