import json
import re
import sys
from collections import Counter
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

sys.path.insert(0, str(ROOT))

_EXPECT = re.compile(r"#\s*expect:\s*([A-Za-z0-9_,\s-]+?)\s*(?:#|$)")
_CONFIG = re.compile(r"#\s*gdpr-lint-config:\s*(\{.*\})\s*$")


def fixture_config(text: str) -> dict:
    first = text.splitlines()[0] if text else ""
    match = _CONFIG.search(first)
    return json.loads(match.group(1)) if match else {}


def expected_findings(text: str) -> Counter:
    """(line, code) pairs from `# expect: GDPR101, GDPR102` comments."""
    expected = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            for code in match.group(1).split(","):
                if code.strip():
                    expected[(number, code.strip())] += 1
    return expected


def make_settings(table: dict, root: Path = ROOT):
    from gdpr_lint.config import from_table, validate
    from gdpr_lint.settings import RunSettings

    validate(table)
    return RunSettings(from_table(table, root, None))


def analyse_text(text: str, table: dict = None, path: str = "fixture.py", use_prefilter: bool = True):
    from gdpr_lint.file_check import check_data

    settings = make_settings(table or {})
    findings, errors = check_data(text.encode("utf-8"), path, settings, use_prefilter)
    assert not [e for e in errors if e.internal], errors
    return findings, errors


def reference_filter_passes(token_filter, text: str) -> bool:
    """The token filter's plain specification, without its shortcuts: some anchor occurs
    (a short word as an identifier part) and its phrase regex matches anywhere in the text."""
    import re

    from gdpr_lint import prefilter

    lower = text.lower()
    for anchor, source in token_filter.precise_source.items():
        if len(anchor) <= 3 and anchor.isalpha():
            if not prefilter._LazyPattern(prefilter._short_word_regex(anchor)).search(text):
                continue
        elif anchor not in lower:
            continue
        if source is None or re.search(source, lower):
            return True
    return False
