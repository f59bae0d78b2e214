"""What an exception class's `__init__` keeps of its parameters (`init_kept` in a class's
summary, semantic/summary_classes.py): the parameters it passes to its base's `__init__`, gives
to an attribute of the instance, or hands to a call that also gets the instance (`self.x =
...`, `self.setup(p)`, `register(self, p)`), directly or through a local built from them.

A parameter it does not keep is gone once the constructor returns: no `__str__`, `__repr__`
or base can show it (the base's `__init__` replaces the `args` that BaseException.__new__
saved). `class CredentialsAuthError(ApiError): def __init__(self, credentials, message=None):
super().__init__(status_code=401, message=message); credentials.pop("password", None);
log.warning(...)` keeps `message`, not `credentials`: what the raise puts in `credentials` is
not in the exception's text, whatever `__str__` the lineage defines. Only worked out when the
`__init__` calls its base's `__init__`, takes no `*args`/`**kwargs`, and every use of the
instance is plain (`self` not stored, returned or aliased).
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Set


def init_kept(init: "ast.FunctionDef | ast.AsyncFunctionDef", calls_base: bool) -> Optional[List[str]]:
    """The parameters `init` keeps (see the module's doc), or None when not known."""
    args = init.args
    positional = args.posonlyargs + args.args
    if not calls_base or not positional or args.vararg is not None or args.kwarg is not None:
        return None
    own = positional[0].arg
    params = {a.arg for a in positional[1:] + args.kwonlyargs}
    built: Dict[str, Set[str]] = {}
    statements = [n for n in ast.walk(init) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign))]
    for _ in range(4):  # what each local is built from, to a fixpoint
        for stmt in statements:
            if stmt.value is None:
                continue
            reached = _reads(stmt.value, params, built)
            for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id != own:
                        built.setdefault(name.id, set()).update(reached)
    kept: Set[str] = set()
    for node in ast.walk(init):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_mentions_instance(t, own) for t in targets):
                kept |= _reads(node.value, params, built)
            if _mentions_instance(node.value, own) and not _plain_instance_reads(node.value, own):
                return None  # `alias = self`, `holder = [self]`: the instance goes elsewhere
        elif isinstance(node, ast.Call):
            pieces = [node.func, *node.args, *(k.value for k in node.keywords)]
            if any(_mentions_instance(p, own) or _is_super(p) for p in pieces):
                for piece in [*node.args, *(k.value for k in node.keywords)]:
                    kept |= _reads(piece, params, built)
        elif isinstance(node, (ast.Yield, ast.YieldFrom, ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node is not init:
                return None  # a closure or a generator may keep anything
    return sorted(kept)


def _mentions_instance(node, own: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == own for n in ast.walk(node))


def _plain_instance_reads(node, own: str) -> bool:
    """Every mention of the instance in `node` reads one of its attributes (`self.code`)."""
    parents: Dict[int, ast.AST] = {}
    for outer in ast.walk(node):
        for child in ast.iter_child_nodes(outer):
            parents[id(child)] = outer
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id == own:
            above = parents.get(id(n))
            if not (isinstance(above, ast.Attribute) and above.value is n):
                return False
    return True


def _is_super(node) -> bool:
    """`super().__init__`, `super(Cls, self).__init__`."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "super" for n in ast.walk(node)
    )


def _reads(node, params: Set[str], built: Dict[str, Set[str]]) -> Set[str]:
    out: Set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            if inner.id in params:
                out.add(inner.id)
            elif inner.id in built:
                out |= built[inner.id]
    return out
