"""The cheap steps before parsing: decoding, `skip-file`, and the token pre-filter.

A file whose lower-cased text contains no token that an enabled rule starts from cannot
produce a finding, so it is never parsed. The tokens come from the same catalogues the
checks use (settings.RunSettings builds the regex), so the filter cannot drift from them.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import List, Optional, Tuple

_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CACHE_FORMAT = 3  # of a pickled TokenFilter: part of its start-up cache key
_WINDOW = 48  # characters either side of an anchor that a phrase can span
_SKIP_FILE = re.compile(r"#\s*gdpr-lint:\s*skip-file\b")


def decode_source(data: bytes) -> str:
    """Decode as Python does (BOM, coding cookie, else UTF-8)."""
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
        f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word[1:])
    return f"(?:(?<![A-Za-z0-9]){any_case}|(?<=[a-z0-9]){camel})(?![a-z])"


class _LazyPattern:
    """A regex compiled on first use (most runs of a few files never need most of them)."""

    __slots__ = ("source", "compiled")

    def __init__(self, source: str):
        self.source = source
        self.compiled = None

    def _get(self):
        if self.compiled is None:
            self.compiled = re.compile(self.source)
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

    def __init__(self, tokens):
        self.precise: dict = {}
        long_words, short_words = set(), set()
        for token in tokens:
            anchor, pattern = (token, None) if isinstance(token, str) else token
            anchor = anchor.lower()
            if not anchor:
                continue
            self.precise.setdefault(anchor, []).append(pattern)
            (short_words if len(anchor) <= 3 and anchor.isalpha() else long_words).add(anchor)
        # one regex per anchor (None: the anchor alone suffices), compiled when first needed
        self.precise_source = {a: None if None in ps else "|".join(f"(?:{p})" for p in ps)
                               for a, ps in self.precise.items()}
        # The regex looks only for the minimal anchors (those with no other anchor inside):
        # an anchor that contains one ("emailaddress" contains "email") can only occur where
        # that one does, and is then looked for with a substring test. A smaller regex
        # compiles faster, which a one-file pre-commit run pays for on every commit. No
        # minimal anchor starts another, so searching again one character after each match
        # finds every occurrence, overlapping ones too: every anchor in a text is found.
        minimal = sorted(a for a in long_words if not any(b != a and b in a for b in long_words))
        self.long_source = _trie_regex(minimal) if minimal else None
        self.short_words = sorted(short_words)
        self.containing = {b: sorted(a for a in long_words if a != b and b in a) for b in minimal}
        self.containing = {b: longer for b, longer in self.containing.items() if longer}
        self._compile()

    def _compile(self) -> None:
        self.precise = {}
        self.anchors: List[str] = []  # anchors tried one by one (a narrowed filter's)
        self.text = self.lower = None  # the text a narrowed filter was made for
        self.long = re.compile(self.long_source) if self.long_source else None
        # short words: a substring test first, then one small case-aware regex each,
        # compiled when a text first has the word
        self.short = [(w, _LazyPattern(_short_word_regex(w))) for w in self.short_words]

    def __getstate__(self) -> dict:
        """Pattern sources only: a start-up cache holds them, compiling is done on load."""
        return {"precise_source": self.precise_source, "long_source": self.long_source,
                "short_words": self.short_words, "containing": self.containing}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._compile()

    def _pattern(self, anchor: str):
        pattern = self.precise.get(anchor)
        if pattern is None and anchor not in self.precise:
            source = self.precise_source.get(anchor)
            pattern = self.precise[anchor] = re.compile(source) if source is not None else None
        return pattern

    def _confirm(self, anchor: str, lower: str) -> bool:
        """Whether the anchor's phrase is in the text (the anchor occurs in it)."""
        return self._confirm_span(anchor, lower, lower.find(anchor), 0, len(lower))

    def _minimal_found(self, lower: str, seen=None):
        """Each minimal anchor in the text, once, in order of first occurrence."""
        if self.long is None:
            return
        seen = set() if seen is None else seen
        search = self.long.search
        match = search(lower)
        while match is not None:
            word = match.group()
            if word not in seen:
                seen.add(word)
                yield word
            match = search(lower, match.start() + 1)

    def _with_containing(self, word: str, lower: str) -> List[str]:
        return [word] + [a for a in self.containing.get(word, ()) if a in lower]

    def narrowed(self, text: str) -> "TokenFilter":
        """A filter that decides for this text and its parts as this one would, but tries
        only the anchors that occur in the whole text: a part of it can have no others. The
        runner decides a file with it (`passes_span` over the whole text) and then tests the
        file's blocks with it, so the text is scanned for anchors once."""
        lower = text.lower()
        narrow = TokenFilter.__new__(TokenFilter)
        narrow.precise, narrow.precise_source, narrow.containing = self.precise, self.precise_source, {}
        narrow.long = None
        narrow.anchors = sorted(a for word in self._minimal_found(lower) for a in self._with_containing(word, lower))
        narrow.short = [(w, p) for w, p in self.short if w in lower]
        # offsets into the lower-cased text stand for offsets into the text unless
        # lower-casing changed a length (a few non-ASCII letters)
        narrow.text, narrow.lower = text, lower if len(lower) == len(text) else None
        return narrow

    def passes_span(self, start: int, end: int) -> bool:
        """`passes(text[start:end])` for the text this filter was narrowed to, without
        copying or lower-casing the part again (`start` is a line start)."""
        text, lower = self.text, self.lower
        if lower is None:
            return self.passes(text[start:end])
        for anchor in self.anchors:
            at = lower.find(anchor, start, end)
            if at != -1 and self._confirm_span(anchor, lower, at, start, end):
                return True
        for word, pattern in self.short:
            at = lower.find(word, start, end)
            if at != -1 and _short_match(word, pattern, text, lower, at, end) and \
                    self._confirm_span(word, lower, at, start, end):
                return True
        return False

    def _confirm_span(self, anchor: str, lower: str, at: int, start: int, end: int) -> bool:
        """Whether the anchor's phrase is in lower[start:end], from the anchor's first
        occurrence `at` there. A small window around each occurrence is searched: the
        phrase regexes have no literal prefix, so a whole-text search would test every
        position."""
        pattern = self._pattern(anchor)
        if pattern is None:
            return True
        seen = 0
        while at != -1:
            seen += 1
            if seen > 500:
                return pattern.search(lower, start, end) is not None
            if pattern.search(lower, max(start, at - _WINDOW), min(end, at + len(anchor) + _WINDOW)):
                return True
            at = lower.find(anchor, at + 1, end)
        return False

    def passes(self, text: str) -> bool:
        lower = text.lower()
        for anchor in self.anchors:
            if anchor in lower and self._confirm(anchor, lower):
                return True
        seen = set()
        for word in self._minimal_found(lower, seen):
            for anchor in self._with_containing(word, lower):
                if self._confirm(anchor, lower):
                    return True
        for word, pattern in self.short:
            if word in lower and _short_match(word, pattern, text, lower) and self._confirm(word, lower):
                return True
        return False


def _short_match(word: str, pattern, text: str, lower: str, at: int = 0, end: Optional[int] = None) -> bool:
    """Whether the short word's case-aware regex matches text[:end] from `at`, tried only
    where the word occurs (the regex has no literal prefix: searching would try every
    position)."""
    if len(lower) != len(text):  # lower-casing changed lengths: offsets do not line up
        return pattern.search(text, at, len(text) if end is None else end) is not None
    end = len(text) if end is None else end
    at = lower.find(word, at, end)
    while at != -1:
        if pattern.match(text, at, end):
            return True
        at = lower.find(word, at + 1, end)
    return False


# methods that set up instance attributes other methods rely on: always kept
_SETUP_METHODS = frozenset({"__init__", "__post_init__", "setUp", "setup", "__new__", "__enter__", "__aenter__"})


def _span(node) -> Tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return start, node.end_lineno


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
    they define the names, constants and loggers that the kept blocks use."""
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
        token_filter = token_filter.narrowed(text)
    drops: List[Tuple[int, int, Optional[int]]] = []  # first, last line, indent of `pass` or None

    def passes(first: int, last: int) -> bool:
        return token_filter.passes_span(starts[first - 1], starts[last])

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
                if passes(stmt.lineno, stmt.end_lineno):
                    interesting.update(_interesting_imports(stmt, token_filter))
                continue
            if passes(stmt.lineno, stmt.end_lineno) or uses_interesting(stmt.lineno, stmt.end_lineno):
                interesting.update(names)
    # module functions that matter: their callers may use what they return
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and passes(*_span(node)):
            interesting.add(node.name)

    def matters(first: int, last: int) -> bool:
        return uses_interesting(first, last) or passes(first, last)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first, last = _span(node)
            if not matters(first, last):
                drops.append((first, last, None))
        elif isinstance(node, ast.ClassDef):
            first, last = _span(node)
            if not matters(first, last):
                drops.append((first, last, None))
                continue
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name not in _SETUP_METHODS:
                    c_first, c_last = _span(child)
                    if not matters(c_first, c_last):
                        drops.append((c_first, c_last, child.col_offset))
    if not drops:
        return text, None
    removed = bytearray(len(lines) + 1)
    for first, last, indent in drops:
        if indent is not None:  # a method keeps one line: `pass`, so its class keeps a body
            line = lines[first - 1]
            lines[first - 1] = " " * indent + "pass" + (line[len(line.rstrip("\r\n")):] or "\n")
            first += 1
        for number in range(first, last + 1):
            removed[number] = 1
    kept = [number for number in range(1, len(lines) + 1) if not removed[number]]
    return "".join(lines[number - 1] for number in kept), kept
