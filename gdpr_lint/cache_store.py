"""The sharded JSON store both caches keep their entries in (result_cache.ResultCache, results by
file; summary_cache.SummaryCache, module summaries by content): a folder of shard files
`{"version": <gdpr-lint version and code fingerprint>, "entries": {key: entry}}`, each read when first asked for and
written whole, atomically. A missing, unreadable or other-version shard (written by other code: gdpr_lint/code_id.py) reads as empty; a
folder of None means no cache (nothing is read or written). Which shard a key falls in, and
what an entry holds, is each cache's own business.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional

from gdpr_lint.code_id import code_version


class ShardedStore:
    def __init__(self, root: Optional[Path]):
        self.root = root
        self.shards: Dict[str, Dict[str, Any]] = {}  # shard -> its entries (as read, then as changed)

    def _entries(self, shard: str) -> Dict[str, Any]:
        entries = self.shards.get(shard)
        if entries is None:
            entries = {}
            if self.root is not None:
                try:
                    data = json.loads((self.root / f"{shard}.json").read_text(encoding="utf-8"))
                    if (
                        isinstance(data, dict)
                        and data.get("version") == code_version()
                        and isinstance(data.get("entries"), dict)
                    ):
                        entries = data["entries"]
                except (OSError, ValueError):
                    pass
            self.shards[shard] = entries
        return entries

    def _write(self, shard: str, entries: Dict[str, Any]) -> None:
        """Replace the shard's file with these entries (atomically; a read-only folder: no cache)."""
        assert self.root is not None  # the caches write only when they have a folder
        from gdpr_lint.knowledge import write_cache_file

        document = json.dumps({"version": code_version(), "entries": entries}, separators=(",", ":"))
        write_cache_file(self.root / f"{shard}.json", document.encode("utf-8", "surrogatepass"))
