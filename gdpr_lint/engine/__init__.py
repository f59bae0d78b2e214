"""Per file: read, pre-filter, parse once, walk once for every rule, apply suppressions.

The walk reads libcst nodes' fields directly instead of using `CSTNode.visit()` (which
rebuilds every node), keeps a small scope/binding analysis of its own instead of the
whole-file Scope/QualifiedName providers, and computes positions only for files that
have something to report.

Layers, each importing only the ones after it:
run (gdpr_lint.runner -> workers -> result_cache -> file_check) -> engine -> checks -> analysis -> semantic -> syntax

- gdpr_lint.syntax: node helpers, fast parse and positions
- gdpr_lint.semantic: scopes and bindings, name/import resolution, constant folding
- gdpr_lint.analysis: taint propagation (taint, taint_calls, taint_values) and its vocabularies
- gdpr_lint.engine: the context checks see (context), bindings, the one walker (walker; its
  pre-passes in prepass, parameters in parameters, what a branch says of names in branch_facts),
  finding assembly (findings, outcome), one file (analyze.analyze_source)

This package's own module is light (no libcst): the names the single engine.py module had
are still importable from here, each loaded from its new module on first use.
"""

from __future__ import annotations

import importlib

_MOVED = {
    # gdpr_lint.syntax.nodes
    "_SKIP_FIELDS": "gdpr_lint.syntax.nodes",
    "_child_fields": "gdpr_lint.syntax.nodes",
    "_expr_fields": "gdpr_lint.syntax.nodes",
    "_is_node": "gdpr_lint.syntax.nodes",
    "dotted_name": "gdpr_lint.syntax.nodes",
    "_simple_string": "gdpr_lint.syntax.nodes",
    "_unescape": "gdpr_lint.syntax.nodes",
    "_literal": "gdpr_lint.syntax.nodes",
    "string_value": "gdpr_lint.syntax.nodes",
    "_last_name": "gdpr_lint.syntax.nodes",
    "_subscript_key": "gdpr_lint.syntax.nodes",
    "_slice_bound": "gdpr_lint.syntax.nodes",
    "_is_short_slice": "gdpr_lint.syntax.nodes",
    "_is_address_split": "gdpr_lint.syntax.nodes",
    "_is_domain_part": "gdpr_lint.syntax.nodes",
    "_target_name_nodes": "gdpr_lint.syntax.nodes",
    "_target_names": "gdpr_lint.syntax.nodes",
    "_flat_top_level": "gdpr_lint.syntax.nodes",
    "_subscript_text": "gdpr_lint.syntax.nodes",
    "_assignments": "gdpr_lint.syntax.nodes",
    # gdpr_lint.syntax.positions
    "original_line": "gdpr_lint.syntax.positions",
    "_no_validation": "gdpr_lint.syntax.positions",
    "_FastPositionState": "gdpr_lint.syntax.positions",
    "_positions": "gdpr_lint.syntax.positions",
    "_LONE_BACKSLASH": "gdpr_lint.syntax.positions",
    "_parse_module": "gdpr_lint.syntax.positions",
    # gdpr_lint.semantic.scope
    "Binding": "gdpr_lint.semantic.scope",
    "Scope": "gdpr_lint.semantic.scope",
    "Origin": "gdpr_lint.semantic.scope",
    "Const": "gdpr_lint.semantic.scope",
    "Definition": "gdpr_lint.semantic.scope",
    "_FunctionRef": "gdpr_lint.semantic.scope",
    "_FUNCTION": "gdpr_lint.semantic.scope",
    "_ClassRef": "gdpr_lint.semantic.scope",
    # gdpr_lint.engine.context
    "_Report": "gdpr_lint.engine.context",
    "Context": "gdpr_lint.engine.context",
    "_annotation_name": "gdpr_lint.semantic.resolve",
    # gdpr_lint.semantic.values
    "_NUMBER_OPS": "gdpr_lint.semantic.values",
    # gdpr_lint.engine.walker
    "Walker": "gdpr_lint.engine.walker",
    # gdpr_lint.engine.outcome
    "fingerprint": "gdpr_lint.engine.outcome",
    "FileOutcome": "gdpr_lint.engine.outcome",
    "apply_file_suppressions": "gdpr_lint.engine.outcome",
    "syntax_error": "gdpr_lint.engine.outcome",
    # gdpr_lint.engine.analyze
    "_DEEP": "gdpr_lint.engine.analyze",
    "analyze_source": "gdpr_lint.engine.analyze",
    "_analyze_source": "gdpr_lint.engine.analyze",
    # gdpr_lint.engine.findings
    "_contains": "gdpr_lint.engine.findings",
    "_enclosing_statement": "gdpr_lint.engine.findings",
    "_stmt_lines": "gdpr_lint.engine.findings",
    "_findings": "gdpr_lint.engine.findings",
}


def __getattr__(name: str):
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_MOVED))
