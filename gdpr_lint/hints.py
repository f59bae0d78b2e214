"""Hints ("did you mean"): the one place that suggests a known word for a mistyped one (config keys,
rule codes, prefixes and names, rule-pack keys, jurisdictions).

By edit distance with transpositions (optimal string alignment), case-insensitively:
`GPDR1` is one swap from the prefix `GDPR1`, where difflib's ratio picked `GDPR301`.
"""

from __future__ import annotations

from typing import Iterable, Optional


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours."""
    previous2: list = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def closest(word: str, known: Iterable[str]) -> Optional[str]:
    """The known word nearest to `word`, if it is near enough to be what was meant: at most
    a third of the word's letters changed (at least one)."""
    folded = word.lower()
    limit = max(1, len(word) // 3)
    best = None
    best_key = None
    for candidate in known:
        distance = edit_distance(folded, candidate.lower())
        if distance > limit:
            continue
        key = (distance, abs(len(candidate) - len(word)), candidate)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    return best


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """' (did you mean "x"?)' or ""."""
    match = closest(word, known)
    return f' (did you mean "{match}"?)' if match is not None and match != word else ""


def rule_words(rules) -> list:
    """What a rule selector may be: codes, their prefixes (GDPR, GDPR1, GDPR10) and names."""
    words = set()
    for rule in rules.values():
        words.add(rule.code)
        words.add(rule.name)
        for end in range(4, len(rule.code)):
            words.add(rule.code[:end])
    return sorted(words)


def describe(value) -> str:
    """A value as an error line names it: `"UK"`, `365`, `true`, `a list`, `a table`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
