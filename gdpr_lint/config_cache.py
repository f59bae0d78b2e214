"""Parsed config files in the start-up cache, so that a run does not import the TOML parser.

A pre-commit run that checks one file spends most of its time starting: importing the TOML
parser (with `datetime` and `typing`) to read a config of a few lines was a tenth of it.
While `commands` makes a run's settings, a config file's parse is looked up by its bytes
(with this code's version and the Python's) in the cache folder that config uses: the
folder given with `--cache-dir`, else `.gdpr_lint_cache` beside the file. After the settings
are made, a parse is written only into the folder the run really uses as its cache, so
nothing is written where no cache is wanted (`--no-cache`, or a `cache-dir` elsewhere). An
entry holds the file's text and the dict the parser returned for it, and answers only for
that same text; the config is validated from the dict as from a fresh parse, so messages
and results do not change. A missing or damaged entry is a miss.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Tuple

from gdpr_lint._lazy import sha256


class ParseCache:
    def __init__(self, cache_dir: Optional[str]):
        self.cache_dir = cache_dir  # --cache-dir: every config's cache; None: each one's own
        self.parsed: List[Tuple[Path, tuple]] = []  # parses to keep: (cache file, (text, data))

    def entry(self, path: Path, text: str) -> Path:
        from gdpr_lint.code_id import code_version

        folder = Path(self.cache_dir) if self.cache_dir else path.parent.resolve() / ".gdpr_lint_cache"
        key = sha256(f"{code_version()}\0{sys.version}\0{path.name}\0{text}".encode("utf-8", "surrogatepass"))
        return folder / f"config-{key.hexdigest()[:24]}.marshal"

    def get(self, path: Path, text: str) -> Tuple[Path, Optional[dict]]:
        """(cache file, the parse kept there or None)."""
        from gdpr_lint.knowledge import read_cache_file

        entry = self.entry(path, text)
        kept = read_cache_file(entry)
        # the text is kept with its parse and compared: an entry of other text is no answer
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == text and isinstance(kept[1], dict):
            return entry, kept[1]
        return entry, None

    def keep(self, entry: Path, text: str, data: dict) -> None:
        self.parsed.append((entry, (text, data)))

    def save(self, used: Optional[Path]) -> None:
        """Writes the parses whose cache folder is `used`, the run's cache (None: no cache)."""
        from gdpr_lint.knowledge import dump_cache_data, write_cache_file

        for entry, data in self.parsed:
            if used is not None and entry.parent == Path(used):
                encoded = dump_cache_data(data)
                if encoded is not None:  # a TOML date has no marshal form: parsed every run
                    write_cache_file(entry, encoded)
        self.parsed = []


ACTIVE: Optional[ParseCache] = None  # set by commands while it makes a run's settings
