"""Unsalted digests that do not pseudonymise (GDPR108): a hashing call is a sanitizer unless it
is an MD5/SHA digest of a low-entropy identifier, which a dictionary of candidates reverses
([pii.weak-hashes] in rules/pii.toml). A mixin of the engine's Context.
"""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from gdpr_lint.analysis.flow import EMPTY, Taint
from gdpr_lint.analysis.names import split_words
from gdpr_lint.analysis.taint_host import TaintHost
from gdpr_lint.syntax.nodes import _is_node, _slice_bound


class DigestTaintMixin(TaintHost):
    def _weak_digest_taint(self, call: cst.Call) -> Taint:
        """What a hashing call's result carries: nothing, unless it is an unsalted digest
        of a low-entropy identifier (`hashlib.sha256(email.encode()).hexdigest()`), which a
        dictionary reverses ([pii.weak-hashes]): then that identifier, marked as hashed."""
        weak = self.weak_hashes
        inner: Optional[cst.BaseExpression] = call
        func = call.func
        if type(func) is cst.Attribute and func.attr.value in weak.get("digest-methods", ()):
            inner = func.value
            if type(inner) is cst.Name:  # `digest = hashlib.sha256(email.encode())` ... `digest.hexdigest()`
                binding = self.scope.lookup(inner.value)
                inner = binding.value if binding is not None and binding.defs == 1 else None
        if type(inner) is not cst.Call:
            return EMPTY
        target = self.resolve(inner.func)
        if target is None or target not in weak.get("algorithms", ()):
            return EMPTY
        algorithm = target.rsplit(".", 1)[-1]
        data = None
        position = 0
        skip = 1 if algorithm == "new" else 0
        for arg in inner.args:
            if arg.keyword is not None:
                if arg.keyword.value in weak.get("keyed-keywords", ()):
                    return EMPTY  # blake2b(key=...), a salt: keyed
                if arg.keyword.value in ("data", "string"):
                    data = arg.value
                elif arg.keyword.value == "name":
                    folded = self.constant(arg.value)
                    algorithm = str(folded.value) if folded is not None else algorithm
                continue
            if position == 0 and skip:
                folded = self.constant(arg.value)
                algorithm = str(folded.value) if folded is not None else "digest"
            elif position == skip and data is None:
                data = arg.value
            position += 1
        if data is None or self._names_salt(data):
            return EMPTY
        carried = self.taint(data)
        keyed = weak.get("keyed-categories", ())
        if keyed and not set(carried.categories).isdisjoint(keyed):
            return EMPTY  # `sha1(username + password)`: a password hash, keyed by what no dictionary lists
        taint = carried.restricted(weak.get("categories", ()))
        return taint.hashed(algorithm) if taint else EMPTY

    def _names_salt(self, node, _depth: int = 0) -> bool:
        """Whether hashed text names a salt, pepper or secret (`f"{settings.PEPPER}:{email}"`),
        also through the names it is built from (`formula = (user.email, settings.SECRET_KEY)`)."""
        salt_words = self.weak_hashes.get("salt-words", ())
        for identifier in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", self.source(node)):
            if salt_words and not set(split_words(identifier)).isdisjoint(salt_words):
                return True
            if _depth < 2:
                binding = self.scope.lookup(identifier)
                if (
                    binding is not None
                    and binding.defs == 1
                    and _is_node(binding.value)
                    and self._names_salt(binding.value, _depth + 1)
                ):
                    return True
        return False

    def _sliced_taint(self, node: cst.Subscript) -> Taint:
        """A slice carries what it slices; a short prefix of a digest (`sha1(...)[:5]`, a
        k-anonymity range query) identifies no one."""
        taint = self.taint(node.value)
        if not taint:
            return taint
        part = node.slice[0].slice if len(node.slice) == 1 else None
        if type(part) is cst.Slice:
            try:
                lower, upper = _slice_bound(part.lower), _slice_bound(part.upper)
            except ValueError:
                return taint
            if (lower or 0) == 0 and upper is not None and 0 <= upper <= int(self.weak_hashes.get("short-prefix", 0)):
                # a few characters of a random session id or token (`session_id[:8]`, to
                # correlate log lines) authenticate no one; of a password they are still its own
                categories = self.vocab.categories
                handles = frozenset(self.weak_hashes.get("short-prefix-categories", ()))
                return taint.without_hashed().capped(
                    "low",
                    f"only the first {upper} characters of a session id or token: a log correlation handle "
                    "that authenticates no one",
                    where=lambda s: (
                        s.category in handles or (s.ambiguous and categories[s.category].group == "credential")
                    ),
                )
        return taint
