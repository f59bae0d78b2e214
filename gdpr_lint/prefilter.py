"""The cheap steps before parsing: decoding, `skip-file`, and the token pre-filter.

A file whose lower-cased text contains no token that an enabled rule starts from cannot
produce a finding, so it is never parsed. The tokens come from the same catalogues the
checks use (settings.RunSettings builds the regex), so the filter cannot drift from them.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from typing import Any, Dict, List, Optional, Set, Tuple

from gdpr_lint import _regex_cache

_WORD_RUN = re.compile(r"[a-z0-9_]+")  # over lower-cased text
CACHE_FORMAT = 10  # of a pickled TokenFilter: part of its start-up cache key
_WINDOW = 48  # characters either side of an anchor that a phrase can span
_SKIP_FILE = re.compile(r"#\s*gdpr-lint:\s*skip-file\b")


def decode_source(data: bytes) -> str:
    """Decode as Python does (BOM, coding cookie, else UTF-8)."""
    end = data.find(b"\n")
    end = data.find(b"\n", end + 1) if end != -1 else -1
    first_lines = data if end == -1 else data[:end]  # the two lines tokenize reads
    if not data.startswith(b"\xef\xbb\xbf") and b"coding" not in first_lines:
        # no BOM and no `coding` where a cookie must be: UTF-8, as tokenize would say;
        # text that is not UTF-8 is left to tokenize, for its message
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    import tokenize  # a few files a run: not imported for the rest

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
    return data.decode(encoding)


def has_skip_file(text: str) -> bool:
    """`# gdpr-lint: skip-file` in the file's first comment block."""
    if "skip-file" not in text:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return False
        if _SKIP_FILE.search(stripped):
            return True
    return False


def _trie_regex(words) -> str:
    """One regex matching any of the words, shaped as a trie so each position costs a
    character-class test instead of one test per word."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches, singles = [], []
        for char in sorted(k for k in node if k):
            rest = emit(node[char])
            if rest:
                branches.append(re.escape(char) + rest)
            else:
                singles.append(re.escape(char))
        if singles:
            branches.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _short_word_regex(word: str) -> str:
    """A short word (`ip`, `dob`) as an identifier part in any case style: `ip`, `IP`,
    `client_ip`, `clientIp`, `CLIENT_IP`, but not inside `zip` or `skip`."""
    any_case = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)
    camel = re.escape(word[0].upper()) + "".join(
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word[1:]
    )
    return f"(?:(?<![A-Za-z0-9]){any_case}|(?<=[a-z0-9]){camel})(?![a-z])"


class _LazyPattern:
    """A regex compiled on first use (most runs of a few files never need most of them)."""

    __slots__ = ("source", "compiled", "frozen")

    def __init__(self, source: str, frozen=None):
        self.source = source
        self.compiled = None
        self.frozen = frozen  # its compiled form from a start-up cache (_regex_cache)

    def _get(self):
        if self.compiled is None:
            self.compiled = _regex_cache.thaw(self.source, self.frozen)
        return self.compiled

    def search(self, *args):
        return self._get().search(*args)

    def match(self, *args):
        return self._get().match(*args)


class TokenFilter:
    """Decides cheaply whether a file's text can matter to any enabled rule.

    Tokens are literals (matched as substrings of the lower-cased text) or pairs
    (anchor, regex): the anchor is a literal that must occur, the regex (over the
    lower-cased text) confirms the precise phrase. Anchors of three letters or fewer
    are matched as whole identifier parts instead of substrings."""

    # a narrowed filter's (_for_text): the text it was made for, and its short words' patterns
    text: Optional[str]
    lower: Optional[str]
    _short_patterns: Dict[str, Any]

    def __init__(self, tokens, owners=None, dumps=None, always: int = 0, auto_repr=None, person_fields=None):
        """owners: for each token, the index of the check it comes from (default 0); a
        narrowed filter tells which checks have an anchor in its text (`owners_present`),
        plus those in the bit mask `always` (checks with no tokens: they run on every file).
        dumps: (functions, methods, attributes) that turn an object into all of its fields
        (`vars(x)`, `x.model_dump()`, `x.__dict__`): blocks that dump an object of a class
        that matters are kept. auto_repr: (decorators, bases) of classes whose printed form
        shows every field: blocks that may print such an object of a class that matters are kept.
        person_fields: (person nouns, fields) of the `<person> name` phrases: in a class named
        for a person (`class SlurmUser`), a method reading `self.name` is kept; and the words
        of an object dumped whole that make it a person's record: a block that dumps an object
        and spells one (`vars(user)`, `for u in members: pprint(u.__dict__)`) is kept."""
        self.dump_names = tuple(tuple(sorted(names)) for names in (dumps or ((), (), ())))
        self.person_fields = tuple(tuple(sorted(names)) for names in (person_fields or ((), (), ())))
        self.auto_repr = tuple(frozenset(names) for names in (auto_repr or ((), ())))
        self.always = always
        self.precise: dict = {}
        self.owners: Dict[str, int] = {}  # anchor -> bit mask of the checks it belongs to
        long_words: Set[str] = set()
        short_words: Set[str] = set()
        for number, token in enumerate(tokens):
            anchor, pattern = (token, None) if isinstance(token, str) else token
            anchor = anchor.lower()
            if not anchor:
                continue
            self.precise.setdefault(anchor, []).append(pattern)
            self.owners[anchor] = self.owners.get(anchor, 0) | 1 << (owners[number] if owners else 0)
            (short_words if len(anchor) <= 3 and anchor.isalpha() else long_words).add(anchor)
        # one regex per anchor (None: the anchor alone suffices), compiled when first needed
        self.precise_source = {
            a: None if None in ps else "|".join(f"(?:{p})" for p in ps) for a, ps in self.precise.items()
        }
        # A text is looked at word by word (runs of [a-z0-9_]): an anchor made of such
        # characters occurs in the text exactly when it occurs in one of its words, and
        # what a word contains is worked out once per distinct word, not once per file.
        # An anchor with other characters (`cache.set`, `amazonaws.com`, `ex=`) is looked
        # for in the whole text when its longest run of word characters (its key) occurs.
        self.punct: Dict[str, List[str]] = {}
        terms = set()
        for anchor in long_words:
            runs = _WORD_RUN.findall(anchor)
            if len(runs) == 1 and runs[0] == anchor:
                terms.add(anchor)
            else:
                key = max(runs, key=len) if runs else ""
                self.punct.setdefault(key, []).append(anchor)
                if key:
                    terms.add(key)
        self.word_anchors = sorted(long_words & terms)
        # The regex looks only for the minimal terms (those with no other term inside): a
        # term that contains one ("emailaddress" contains "email") can only occur where
        # that one does, and is then looked for with a substring test. A smaller regex
        # compiles faster, which a one-file pre-commit run pays for on every commit. No
        # minimal term starts another, so searching again one character after each match
        # finds every occurrence, overlapping ones too: every term in a word is found.
        minimal = sorted(a for a in terms if not any(b != a and b in a for b in terms))
        self.long_source = _trie_regex(minimal) if minimal else None
        self.short_words = sorted(short_words)
        self.containing = {b: sorted(a for a in terms if a != b and b in a) for b in minimal}
        self.containing = {b: longer for b, longer in self.containing.items() if longer}
        self._frozen: Dict[str, Optional[tuple]] = {}  # pattern source -> its compiled form (_regex_cache)
        self._compile()

    def _compile(self) -> None:
        frozen = self._frozen
        self.precise = {}
        self.reach: Dict[str, int] = {}  # anchor -> characters its phrase can extend either side
        self.anchors: List[str] = []  # anchors tried one by one (a narrowed filter's)
        self.text = self.lower = None  # the text a narrowed filter was made for
        self.is_narrowed = False
        self.long = _regex_cache.thaw(self.long_source, frozen.get(self.long_source)) if self.long_source else None
        # one regex per form, each with a literal or a small first-character set to search
        # for, and the names a text must hold before any of them is run
        functions, methods, attributes = self.dump_names
        self.dumps = [
            (form, _regex_cache.thaw(source, frozen.get(source)))
            for form, source in (
                ("call", rf"(?:{'|'.join(map(re.escape, functions))})\s*\(\s*(\w*)" if functions else None),
                ("method", rf"\.\s*(?:{'|'.join(map(re.escape, methods))})\s*\(" if methods else None),
                ("method", rf"\.\s*(?:{'|'.join(map(re.escape, attributes))})\b" if attributes else None),
            )
            if source
        ]
        self.dump_words = tuple(functions) + tuple(methods) + tuple(attributes)
        self._is_anchor = frozenset(self.word_anchors)
        self._seen: set = set()  # words whose content is known
        self._found_in: Dict[str, tuple] = {}  # word -> (anchors, punctuation keys, short words) in it
        self._found_words: set = set()  # its keys, as a set (a set intersects from the smaller side)
        # short words: a substring test first, then one small case-aware regex each,
        # compiled when a text first has the word
        self.short = [(w, _LazyPattern(source, frozen.get(source))) for w, source in self._short_sources()]

    def _short_sources(self) -> List[Tuple[str, str]]:
        return [(w, _short_word_regex(w)) for w in self.short_words]

    def _sources(self) -> List[str]:
        """Every pattern this filter can compile."""
        sources = [s for s in self.precise_source.values() if s is not None]
        sources += [source for _, source in self._short_sources()]
        sources += [pattern.pattern for _, pattern in self.dumps]
        return sources + ([self.long_source] if self.long_source else [])

    def __getstate__(self) -> dict:
        """Pattern sources, and their compiled forms for this Python (_regex_cache): a
        start-up cache holds them, so a run that loads it compiles no pattern."""
        frozen = {source: self._frozen.get(source) or _regex_cache.freeze(source) for source in self._sources()}
        return {
            "frozen": (_regex_cache.TAG, {source: parts for source, parts in frozen.items() if parts is not None}),
            "precise_source": self.precise_source,
            "long_source": self.long_source,
            "short_words": self.short_words,
            "containing": self.containing,
            "punct": self.punct,
            "word_anchors": self.word_anchors,
            "owners": self.owners,
            "dump_names": self.dump_names,
            "always": self.always,
            "auto_repr": self.auto_repr,
            "person_fields": self.person_fields,
        }

    def __setstate__(self, state: dict) -> None:
        tag, frozen = state.pop("frozen", (None, {}))
        self.__dict__.update(state)
        self._frozen = frozen if tag is not None and tag == _regex_cache.TAG else {}
        self._compile()

    def dump_positions(self, text: str) -> List[Tuple[int, str]]:
        """Where the text turns an object into all of its fields, and the name of that
        object when it is a plain name (`vars(self)`, `body.model_dump()`, `self.__dict__`),
        sorted. A superset: an identifier ending in `vars(` counts too."""
        if not any(word in text for word in self.dump_words):
            return []
        found = []
        for form, pattern in self.dumps:
            for match in pattern.finditer(text):
                if form == "call":
                    found.append((match.start(), match.group(1)))
                else:  # the name before the dot
                    before = _NAME_BEFORE.search(text, max(0, match.start() - 80), match.start())
                    found.append((match.start(), before.group(1) if before else ""))
        found.sort()
        return found

    def _reach(self, anchor: str) -> int:
        """How far a phrase match can extend before or after its anchor: the widest match
        of the anchor's regex less the anchor, and two characters for a look-around at
        the edge; at most _WINDOW. A phrase contains one of its anchors, so a window this
        wide around each anchor finds every match, and a narrow window is a cheap search."""
        reach = self.reach.get(anchor)
        if reach is None:
            source = self.precise_source[anchor]
            assert source is not None  # asked only for an anchor with a phrase (_confirmed)
            widest = _regex_cache.width(self._frozen.get(source))  # from a start-up cache
            if widest is None:
                try:
                    from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+, private: not in the stubs
                except ImportError:  # pragma: no cover - older Pythons
                    import sre_parse as parser
                widest = parser.parse(source).getwidth()[1]
            # a regex narrower than its anchor cannot hold it: keep the full window then
            reach = _WINDOW if widest < len(anchor) else min(_WINDOW, widest - len(anchor) + 2)
            self.reach[anchor] = reach
        return reach

    def _pattern(self, anchor: str):
        pattern = self.precise.get(anchor)
        if pattern is None and anchor not in self.precise:
            source = self.precise_source.get(anchor)
            if source is not None and source not in self._frozen:
                # parsed once for both the pattern and its widest match (_reach), not twice
                self._frozen[source] = _regex_cache.freeze(source)
            pattern = self.precise[anchor] = (
                _regex_cache.thaw(source, self._frozen.get(source)) if source is not None else None
            )
        return pattern

    def _learn(self, words: set) -> None:
        """Work out what each new word contains; words that contain something are kept in
        `_found_in`, every word seen in `_seen` (bounded, for long runs over generated code)."""
        if len(self._seen) > 500_000:
            self._seen.clear()
            self._found_in.clear()
            self._found_words.clear()
        search = self.long.search if self.long is not None else None
        for word in words:
            terms = set()
            match = search(word) if search is not None else None
            while match is not None and search is not None:  # a match was found by search
                term = match.group()
                terms.add(term)
                terms.update(t for t in self.containing.get(term, ()) if t in word)
                match = search(word, match.start() + 1)
            shorts = tuple(w for w in self.short_words if w in word)
            if terms or shorts:
                self._found_in[word] = (
                    tuple(t for t in terms if t in self._is_anchor),
                    tuple(t for t in terms if t in self.punct),
                    shorts,
                )
                self._found_words.add(word)
        self._seen |= words

    def narrowed(self, text: str) -> "TokenFilter":
        """A filter that decides for this text and its parts as this one would, but tries
        only the anchors that occur in the whole text: a part of it can have no others. The
        runner decides a file with it (`passes_span` over the whole text) and then tests the
        file's blocks with it, so the text is scanned for anchors once."""
        lower = _aligned_lower(text)
        anchors, keys, shorts = set(), set(), set()
        words = set(_WORD_RUN.findall(lower))
        new = words - self._seen
        if new:
            self._learn(new)
        found_in = self._found_in
        for word in words & self._found_words:
            found = found_in[word]
            anchors.update(found[0])
            keys.update(found[1])
            shorts.update(found[2])
        for key in (keys | {""}) if "" in self.punct else keys:
            anchors.update(a for a in self.punct[key] if a in lower)
        return self._for_text(sorted(anchors), [(w, p) for w, p in self.short if w in shorts], text, lower)

    # what a filter made for one text shares with the filter it was made from
    _SHARED = (
        "precise",
        "precise_source",
        "owners",
        "always",
        "reach",
        "dumps",
        "dump_words",
        "auto_repr",
        "person_fields",
        "_frozen",
    )

    def _for_text(self, anchors: List[str], short: list, text: str, lower: str) -> "TokenFilter":
        made = TokenFilter.__new__(TokenFilter)
        for name in self._SHARED:
            setattr(made, name, getattr(self, name))
        made.anchors, made.short = anchors, short
        made.long, made.is_narrowed, made.text, made.lower = None, True, text, lower
        made._positions = made._names = made._memo = None
        made._short_patterns = dict(short)
        return made

    def _view(self, text: str) -> "TokenFilter":
        """This narrowed filter's anchors, for another text (a part of its own)."""
        return self._for_text(self.anchors, self.short, text, _aligned_lower(text))

    def owners_present(self) -> int:
        """Bit mask of the checks that have an anchor in this narrowed filter's text. A
        check none of whose anchors occurs cannot find anything in the file, so the
        runner does not run it there (its phrases need not be confirmed for this)."""
        mask = self.always
        for anchor in self.anchors:
            mask |= self.owners[anchor]
        for word, _ in self.short:
            mask |= self.owners[word]
        return mask

    def passes_span(self, start: int, end: int) -> bool:
        """`passes(text[start:end])` for the text this filter was narrowed to, without
        copying or lower-casing the part again (`start` is a line start). The runner asks
        this of a file and then of its nested blocks, so where the anchors occur, and
        whether a phrase is confirmed at each place, is worked out once per file."""
        positions, names = self._hits()
        shorts = self._short_patterns
        short_seen = confirmed_seen = None
        for index in range(bisect_left(positions, start), bisect_left(positions, end)):
            at, name = positions[index], names[index]
            if at + len(name) > end:
                continue
            short = shorts.get(name)
            if short is None:
                if self._confirmed(index, at, name, start, end):
                    return True
                continue
            # a short word: an identifier part here, and its phrase (if it has one) there
            if self._pattern(name) is None:
                if self._short_at(index, at, name, short, end):
                    return True
                continue
            if short_seen is None:
                short_seen, confirmed_seen = set(), set()
            if name not in short_seen and self._short_at(index, at, name, short, end):
                short_seen.add(name)
            if name not in confirmed_seen and self._confirmed(index, at, name, start, end):
                confirmed_seen.add(name)
            if name in short_seen and name in confirmed_seen:
                return True
        return False

    def _hits(self):
        """(sorted positions, the anchor or short word at each) of the whole text."""
        if self._positions is None:
            find, hits = self.lower.find, []
            for name in self.anchors + [w for w, _ in self.short]:
                at = find(name)
                while at != -1:
                    hits.append((at, name))
                    at = find(name, at + 1)
            hits.sort()
            self._positions = [at for at, _ in hits]
            self._names = [name for _, name in hits]
            self._memo = {}
        return self._positions, self._names

    def _confirmed(self, index: int, at: int, name: str, start: int, end: int) -> bool:
        """Whether the phrase of the anchor at `at` is in lower[start:end]. A small window
        around the anchor is searched: the phrase regexes have no literal prefix, so a
        search of the whole part would test every position. A window inside the part is
        the same for every part that holds it, so its answer is kept."""
        pattern = self._pattern(name)
        if pattern is None:
            return True
        lower = self.lower
        assert lower is not None  # asked of a narrowed filter only
        reach = self._reach(name)
        low, high = max(0, at - reach), min(len(lower), at + len(name) + reach)
        if low < start or high > end:
            return pattern.search(lower, max(start, low), min(end, high)) is not None
        found = self._memo.get(index)
        if found is None:
            found = self._memo[index] = pattern.search(lower, low, high) is not None
        return found

    def _short_at(self, index: int, at: int, word: str, pattern, end: int) -> bool:
        """Whether the short word at `at` is an identifier part (`ip` in `client_ip`)."""
        if at + len(word) >= end:  # the regex looks one character past the word
            return pattern.match(self.text, at, end) is not None
        key = -1 - index
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = pattern.match(self.text, at) is not None
        return found

    def passes(self, text: str) -> bool:
        if self.is_narrowed:  # its anchors are all the ones its text, and any part of it, has
            return self._view(text).passes_span(0, len(text))
        return self.narrowed(text).passes_span(0, len(text))


def _aligned_lower(text: str) -> str:
    """The text lower-cased, character for character: a letter whose lower case is longer
    (`İ`) is kept as it is, so that offsets into the result are offsets into the text."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    # a few characters grow (`İ`): lower the runs between them, character by character only them
    growing = [c for c in set(text) if len(c.lower()) != 1]
    pattern = re.compile("([" + re.escape("".join(growing)) + "])")
    return "".join(part if i % 2 else part.lower() for i, part in enumerate(pattern.split(text)))


_NAME_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")
