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

_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_RUN = re.compile(r"[a-z0-9_]+")  # over lower-cased text
CACHE_FORMAT = 8  # of a pickled TokenFilter: part of its start-up cache key
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

    def __init__(self, tokens, owners=None, dumps=None, always: int = 0, auto_repr=None):
        """owners: for each token, the index of the check it comes from (default 0); a
        narrowed filter tells which checks have an anchor in its text (`owners_present`),
        plus those in the bit mask `always` (checks with no tokens: they run on every file).
        dumps: (functions, methods, attributes) that turn an object into all of its fields
        (`vars(x)`, `x.model_dump()`, `x.__dict__`): blocks that dump an object of a class
        that matters are kept. auto_repr: (decorators, bases) of classes whose printed form
        shows every field: blocks that may print such an object of a class that matters are kept."""
        self.dump_names = tuple(tuple(sorted(names)) for names in (dumps or ((), (), ())))
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
    _SHARED = ("precise", "precise_source", "owners", "always", "reach", "dumps", "dump_words", "auto_repr", "_frozen")

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


# methods that set up instance attributes other methods rely on, and those that decide how an
# object prints (a class that writes its own __repr__ does not print its fields): always kept
_SETUP_METHODS = frozenset(
    {"__init__", "__post_init__", "setUp", "setup", "__new__", "__enter__", "__aenter__", "__repr__", "__str__"}
)


# a module-level literal this large is a data table (place names, a country list, a word list),
# not configuration: no rule judges thousands of literals, and libcst would spend most of a
# minute parsing one of megabytes (GDPR201 does not flag a list of many regions either)
_DATA_TABLE_LINES = 2000
_DATA_TABLE_CHARS = 200_000
_LITERAL_NODES = None


def _is_data_table(node, starts: List[int]) -> bool:
    import ast

    global _LITERAL_NODES
    value = node.value
    if value is None:
        return False
    first, last = node.lineno, node.end_lineno or node.lineno
    if last - first < _DATA_TABLE_LINES and starts[last] - starts[first - 1] < _DATA_TABLE_CHARS:
        return False
    if _LITERAL_NODES is None:
        _LITERAL_NODES = (
            ast.Constant,
            ast.Tuple,
            ast.List,
            ast.Set,
            ast.Dict,
            ast.UnaryOp,
            ast.USub,
            ast.UAdd,
            ast.Load,
        )
    literal = _LITERAL_NODES
    return all(isinstance(child, literal) for child in ast.walk(value))


def _span(node) -> Tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return start, node.end_lineno


_NAME_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def python_lines(text: str) -> List[str]:
    """Lines as Python counts them (\n, \r\n, \r): str.splitlines also breaks at form
    feeds and other separators, which would shift every line number after one."""
    return _LINE.findall(text)


def _simple_statements(body):
    """Module- or class-level statements, looking into if/try blocks (imports under
    `try: ... except ImportError:`), not into functions or classes."""
    import ast

    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)) or type(stmt).__name__ == "TryStar":
            yield from _simple_statements(stmt.body)
            for handler in getattr(stmt, "handlers", ()):
                yield from _simple_statements(handler.body)
            yield from _simple_statements(stmt.orelse)
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt


def _setup_attributes(node, passes, interesting) -> set:
    """`self._session = session or boto3.Session()` in a set-up method, in a statement with a
    token: the attributes a class's other methods use for what matters (`self._session.resource(
    "dynamodb", "us-west-2")` in a method with no token of its own). Only an object made by a
    call of an import that matters (`boto3.Session()`), not any value next to a token."""
    import ast

    found = set()
    for child in node.body:
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) or child.name not in _SETUP_METHODS:
            continue
        for stmt in ast.walk(child):
            if (
                isinstance(stmt, (ast.Assign, ast.AnnAssign))
                and stmt.value is not None
                and any(
                    isinstance(call, ast.Call) and _call_root(call.func) in interesting for call in ast.walk(stmt.value)
                )
                and passes(stmt.lineno, stmt.end_lineno)
            ):
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in ("self", "cls")
                    ):
                        found.add(target.attr)
    return found


def _call_root(func) -> Optional[str]:
    import ast

    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _annotation_last_name(node) -> Optional[str]:
    """The class an annotation names, as the engine types a parameter: `SignupRequest`,
    `models.SignupRequest`, `Optional[SignupRequest]`, `Annotated[SignupRequest, ...]`,
    `SignupRequest | None` (its last dotted name)."""
    import ast

    if isinstance(node, ast.Subscript):
        from gdpr_lint.analysis.names import TYPE_WRAPPERS

        outer = _annotation_last_name(node.value)
        if outer in TYPE_WRAPPERS:
            inner = node.slice.value if type(node.slice).__name__ == "Index" else node.slice  # type: ignore[attr-defined]  # Python 3.8 Index, not in the stubs
            return _annotation_last_name(inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner)
        return outer
    if isinstance(node, ast.BinOp):
        return _annotation_last_name(node.left)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1].strip() or None
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _dotted(node) -> Optional[str]:
    import ast

    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return node.id if isinstance(node, ast.Name) else None


def _prints_its_fields(node, auto_repr, printed) -> bool:
    """Whether printing an object of the class shows all of its fields, as the engine decides
    it on its own tree (Walker._prints_its_fields): a dataclass, attrs or pydantic class, or a
    subclass of such a class of the module (`printed`), with no __repr__ or __str__ of its own."""
    import ast

    decorators, bases = auto_repr
    if any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in ("__repr__", "__str__")
        for stmt in node.body
    ):
        return False
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if _dotted(call.func if call is not None else decorator) in decorators:
            for keyword in call.keywords if call is not None else ():
                if keyword.arg == "repr":
                    return not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False)
            return True
    return any(_dotted(base) in bases or _dotted(base) in printed for base in node.bases)


def _bound_names(stmt) -> List[str]:
    import ast

    if isinstance(stmt, ast.Import):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [a.asname or a.name for a in stmt.names if a.name != "*"]
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    else:
        return []
    names = []
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.append(node.id)
    return names


def _interesting_imports(stmt, token_filter) -> List[str]:
    """The names an import binds that matter: all of them when the module path has a
    token (`from azure.mgmt.storage import StorageManagementClient`), else only those
    whose own name has one (`EmailT` of `from .typing import EmailT, KeyT`), so that one
    such name does not make every block using `KeyT` parse."""
    module = getattr(stmt, "module", None) or ""
    whole = bool(module) and token_filter.passes(module)
    out = []
    for alias in stmt.names:
        if alias.name == "*":
            continue
        bound = (alias.asname or alias.name).split(".")[0]
        if whole or token_filter.passes(f"{alias.name} {alias.asname or ''}"):
            out.append(bound)
    return out


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
            return ast.parse(text), None
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


def relevant_blocks(text: str, token_filter, tree=None) -> Tuple[str, Optional[List[int]]]:
    """(source, origin): the text without the top-level functions, classes and methods
    that contain no token (a method becomes `pass` on its first line), so libcst parses
    only what can matter, and the original line number of each line of the source (None
    when nothing was dropped). Lines are dropped rather than blanked: a run of empty lines
    is not free to parse. Kept lines are unchanged, so columns stay those of the original.
    Module-level statements, class-level statements and set-up methods are always kept:
    they define the names, constants and loggers that the kept blocks use. A block without
    a token is kept when it uses a name those define, or when it turns an object of a class
    that names personal data into all of its fields (`vars(self)`, `body.model_dump()`)."""
    import ast

    if tree is None:
        tree, problem = python_syntax(text)
        if tree is None:
            return text, None
    lines = python_lines(text)
    starts = [0]  # offset of each line in the text
    for line in lines:
        starts.append(starts[-1] + len(line))
    if token_filter.text is not text:  # the runner passes the filter it narrowed already
        token_filter = token_filter._view(text) if token_filter.is_narrowed else token_filter.narrowed(text)
    drops: List[Tuple[int, int, Optional[int]]] = []  # first, last line, indent of `pass` or None

    decided: Dict[Tuple[int, int], bool] = {}  # a class is asked twice: as a class that matters, as a block

    def passes(first: int, last: int) -> bool:
        verdict = decided.get((first, last))
        if verdict is None:
            verdict = decided[first, last] = token_filter.passes_span(starts[first - 1], starts[last])
        return verdict

    def uses_interesting(first: int, last: int) -> bool:
        return bool(interesting) and not interesting.isdisjoint(_WORDS.findall(text, starts[first - 1], starts[last]))

    # names given a value that matters (`REGION = "us-east-1"`, `TTL = ...`) at module or
    # class level: a block that uses one is kept even if its own text has no token
    # (and so are imports that pass, such as `from azure.mgmt... import Client`, and what
    # module-level code builds from them: `client = Client(...)`)
    interesting = set()
    for holder in [tree] + [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        for stmt in _simple_statements(holder.body):
            names = _bound_names(stmt)
            if not names:
                continue
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                if passes(stmt.lineno, stmt.end_lineno or stmt.lineno):  # ast.parse sets end_lineno
                    interesting.update(_interesting_imports(stmt, token_filter))
                continue
            if passes(stmt.lineno, stmt.end_lineno) or uses_interesting(stmt.lineno, stmt.end_lineno):
                interesting.update(names)
    # classes that extend an import that matters (`class BillingStack(Stack)` with `from aws_cdk
    # import Stack`, also through the module's own classes): a call of one is a call of its base
    grew = True
    while grew:
        grew = False
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and node.name not in interesting
                and any(isinstance(n, ast.Name) and n.id in interesting for base in node.bases for n in ast.walk(base))
            ):
                interesting.add(node.name)
                grew = True
    # module functions that matter: their callers may use what they return
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and passes(*_span(node)):
            interesting.add(node.name)
    # Objects of a class whose fields name personal data (a class that matters), turned into
    # all of their fields (`vars(self)`, `body.model_dump()` with `body: SignupRequest`):
    # where the file has such calls, found once
    dumps = token_filter.dump_positions(text)
    dump_at = [at for at, _ in dumps]
    classes_that_matter = (
        {node.name for node in tree.body if isinstance(node, ast.ClassDef) and passes(*_span(node))} if dumps else set()
    )

    def dumped_names(node) -> set:
        """The names of the objects the block turns into all of their fields."""
        first, last = _span(node)
        index = bisect_left(dump_at, starts[first - 1])
        names = set()
        while index < len(dumps) and dumps[index][0] < starts[last]:
            names.add(dumps[index][1])
            index += 1
        return names

    def dumps_a_class_that_matters(node, owner: Optional[str]) -> bool:
        """A block that dumps its `self` (in a class that matters, `owner`) or a parameter
        annotated with a class that matters."""
        names = dumped_names(node) if dump_at else ()
        if not names:
            return False
        if owner in classes_that_matter:
            first = (node.args.posonlyargs + node.args.args)[:1]
            if first and first[0].arg in names:
                return True
        return any(
            isinstance(arg, ast.arg)
            and arg.arg in names
            and arg.annotation is not None
            and _annotation_last_name(arg.annotation) in classes_that_matter
            for arg in ast.walk(node)
        )

    def matters(first: int, last: int) -> bool:
        return uses_interesting(first, last) or passes(first, last)

    # Classes that matter whose printed form shows all their fields (a pydantic model, a
    # dataclass): a block may log such an object whole (`logger.info("%s", body)`), so the
    # methods of such a class are kept, and so is a block with a parameter of such a class.
    printed: set = set()
    if any(token_filter.auto_repr):
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and _prints_its_fields(node, token_filter.auto_repr, printed)
                and passes(*_span(node))
            ):
                printed.add(node.name)

    def takes_printed(node) -> bool:
        return bool(printed) and any(
            arg.annotation is not None and _annotation_last_name(arg.annotation) in printed
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        )

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first, last = _span(node)
            if not matters(first, last) and not dumps_a_class_that_matters(node, None) and not takes_printed(node):
                drops.append((first, last, None))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_data_table(node, starts):
            drops.append((node.lineno, node.end_lineno or node.lineno, None))
        elif isinstance(node, ast.ClassDef):
            first, last = _span(node)
            if not matters(first, last):
                drops.append((first, last, None))
                continue
            if node.name in printed:
                continue
            members = _setup_attributes(node, passes, interesting)
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name not in _SETUP_METHODS:
                    c_first, c_last = _span(child)
                    if (
                        not matters(c_first, c_last)
                        and not dumps_a_class_that_matters(child, node.name)
                        and not takes_printed(child)
                        and not (
                            members
                            and not members.isdisjoint(_WORDS.findall(text, starts[c_first - 1], starts[c_last]))
                        )
                    ):
                        drops.append((c_first, c_last, child.col_offset))
    if not drops:
        return text, None
    removed = bytearray(len(lines) + 1)
    for first, last, indent in drops:
        if indent is not None:  # a method keeps one line: `pass`, so its class keeps a body
            line = lines[first - 1]
            lines[first - 1] = " " * indent + "pass" + (line[len(line.rstrip("\r\n")) :] or "\n")
            first += 1
        for number in range(first, last + 1):
            removed[number] = 1
    kept = [number for number in range(1, len(lines) + 1) if not removed[number]]
    return "".join(lines[number - 1] for number in kept), kept
