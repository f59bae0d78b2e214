"""The residency check's own value types and small helpers, which each of its layers uses:
the rule codes, a value known at lint time with its origin, the per-file state and the
call-target patterns."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set

NON_EU_REGION = "GDPR201"
NON_EU_SAAS = "GDPR202"
UNKNOWN_REGION = "GDPR203"
NO_REGION = "GDPR204"

ENVIRON_ITEM = re.compile(r"""^os\.environ\[\s*["']([A-Za-z0-9_]+)["']\s*\]$""")
MISSING = object()


@dataclass
class Value:
    """A value known at lint time, with where it came from (None: written in place)."""

    value: Any
    origin: Optional[str] = None


@dataclass
class FileState:
    path: Any = None
    reported_names: Set[str] = field(default_factory=set)
    pending: List[tuple] = field(default_factory=list)  # (service, node, message, facts)
    # (service, (scope, receiver)) of each override; the receiver is None when not a plain name
    override_keys: List[tuple] = field(default_factory=list)
    pending_keys: Dict[int, tuple] = field(default_factory=dict)  # id(SDK call) -> (scope, name bound to)
    module_clients: Dict[int, str] = field(default_factory=dict)  # id(SDK call) -> module-level name bound to
    module_keys: Dict[str, tuple] = field(default_factory=dict)  # service -> (node, attr)
    module_hosts: Set[str] = field(default_factory=set)
    reported: Set[tuple] = field(default_factory=set)  # (code, id(node), message)
    reported_targets: Set[int] = field(default_factory=set)  # id() of assignment targets reported
    judged_env_calls: Set[int] = field(default_factory=set)  # id() of env reads an SDK call judged
    # regions given to stacks and providers that hold only global resources ([residency.global_resources])
    global_nodes: Set[int] = field(default_factory=set)  # id() of env/provider calls used only so
    deferred: Dict[str, List[tuple]] = field(default_factory=dict)  # name -> reports of the call bound to it
    uses: Dict[str, List[bool]] = field(default_factory=dict)  # name -> whether each use is global-only
    global_classes: Dict[int, bool] = field(default_factory=dict)  # id(ClassDef) -> holds only global resources
    test_module: Optional[bool] = None
    # how sure the SaaS findings of the call being scanned are: None, or (confidence, reason)
    saas_verdict: Optional[tuple] = None
    constant_reports: List[tuple] = field(default_factory=list)  # (name, reports) of module-level host constants
    # a module's or class's constants that are one string each naming a region or regional host
    # (`S3_EU_WEST_HOST = "s3-eu-west-1.amazonaws.com"`): `string_constant` holds the string while
    # such a constant is judged; `templates` maps (provider, the string with its region as `{r}`)
    # to the regions named so, allowed or not; `constant_region_reports` holds (report, template)
    string_constant: Optional[str] = None
    templates: Dict[tuple, Set[str]] = field(default_factory=dict)
    constant_region_reports: List[tuple] = field(default_factory=list)


STATIC_FILE = re.compile(
    r"\.(?:png|jpe?g|gif|svg|webp|ico|bmp|mp4|webm|mov|mp3|wav|ogg|css|js|woff2?|ttf|pdf)$", re.IGNORECASE
)
_COMPARED_BEFORE = re.compile(
    r"(?:==|!=|\bin|\bis|\.(?:startswith|endswith|get|pop|index|count)\(|\w\[|\bin\s*[(\[{][^()\[\]{}]*)$"
)


def compares_or_keys(text: str, start: int, end: int) -> bool:
    """Whether the use of a name at text[start:end] compares with it or looks a key up by it:
    `== NAME`, `NAME in url`, `url.startswith(NAME)`, `host in (NAME, OTHER)`, `claims[NAME]`,
    `claims.get(NAME)`."""
    before = text[max(0, start - 60) : start].rstrip()
    after = text[end : end + 20].lstrip()
    return _COMPARED_BEFORE.search(before) is not None or after.startswith(("==", "!=", "in ", "not in "))


def region_template(text: str, region: str) -> str:
    """A string with the region it names as `{r}` (`s3-{r}.amazonaws.com`), to tell constants that
    differ only by region (a catalogue of them) from ones that configure different services."""
    return re.sub(re.escape(region), "{r}", text.lower().replace("_", "-"), flags=re.IGNORECASE)


def dotted(node) -> Optional[str]:
    from gdpr_lint.syntax.nodes import dotted_name

    return dotted_name(node)


class Patterns:
    """Call-target patterns: exact names in a dict, shell patterns checked in order."""

    def __init__(self) -> None:
        self.exact: Dict[str, list] = {}
        self.globs: List[tuple] = []  # (literal prefix, compiled pattern, item)
        self._any: Optional[re.Pattern] = None  # all the shell patterns as one regex: most targets match none

    def add(self, pattern: str, item) -> None:
        wildcard = min((pattern.index(c) for c in "*?[" if c in pattern), default=-1)
        if wildcard >= 0:
            self.globs.append((pattern[:wildcard], re.compile(fnmatch.translate(pattern)), item))
            self._any = None
        else:
            self.exact.setdefault(pattern, []).append(item)

    def match(self, targets: Sequence[str]) -> list:
        found = []
        if self.globs and self._any is None:
            self._any = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern, _ in self.globs))
        for target in targets:
            for item in self.exact.get(target, ()):
                if item not in found:
                    found.append(item)
            if self._any is None or not self._any.match(target):
                continue
            for prefix, pattern, item in self.globs:
                if target.startswith(prefix) and item not in found and pattern.match(target):
                    found.append(item)
        return found
