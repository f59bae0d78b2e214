"""Everything a run needs, built once per process: knowledge, enabled rules, checks, pre-filter.

Nothing here imports libcst: deciding that a file cannot match must stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Tuple

from gdpr_lint._lazy import sha256
from gdpr_lint.code_id import code_version
from gdpr_lint.config import Config, ConfigError
from gdpr_lint.knowledge import Knowledge, KnowledgeError, load

if TYPE_CHECKING:  # imported when first needed, at run time
    from gdpr_lint.analysis.pii import PiiVocabulary
    from gdpr_lint.settings_tree import SettingsTree


def _selector_matches(selector: str, rule) -> int:
    """Specificity of a selector for a rule (0: no match). Names match fully; `ALL` is
    `GDPR`, wherever a selector is accepted (select, ignore, per-file-ignores)."""
    if selector.lower() == rule.name.lower():  # PII-IN-LOG is pii-in-log, as codes ignore case
        return 100
    upper = selector.upper()
    if upper == "ALL":
        upper = "GDPR"
    if rule.code.startswith(upper):
        return len(upper)
    return 0


def validate_selectors(kb: Knowledge, selectors: Iterable[str], where: str) -> None:
    for selector in selectors:
        if selector.upper() == "ALL":
            continue
        if not any(_selector_matches(selector, rule) for rule in kb.rules.values()):
            from gdpr_lint.hints import did_you_mean, rule_words

            hint = did_you_mean(selector, rule_words(kb.rules))
            raise ConfigError(f'{where}: "{selector}" matches no rule code, prefix or name{hint}')


def enabled_codes(kb: Knowledge, select: Tuple[str, ...], ignore: Tuple[str, ...]) -> FrozenSet[str]:
    """ruff-style selection: the most specific selector wins; on a tie, ignore wins.
    Opt-in rules (default_enabled = false) need their full code or name selected."""
    select = tuple("GDPR" if s.upper() == "ALL" else s for s in select)
    exact = {r.code: r.code for r in kb.rules.values()}
    exact.update({r.name: r.code for r in kb.rules.values()})

    def named(selectors):
        """The rules named by their full code or name (not by a prefix)."""
        return {exact.get(s, exact.get(s.upper(), exact.get(s.lower()))) for s in selectors} - {None}

    for selector in select:
        if selector in ignore:
            raise ConfigError(f'"{selector}" is both selected and ignored')
    both = sorted(named(select) & named(ignore))
    if both:
        raise ConfigError(f"{both[0]} is both selected and ignored (by code or by name)")
    enabled = set()
    for rule in kb.rules.values():
        best_select = max((_selector_matches(s, rule) for s in select), default=0)
        best_ignore = max((_selector_matches(s, rule) for s in ignore), default=0)
        if best_select == 0 or best_ignore >= best_select:
            continue
        if not rule.default_enabled and best_select < len(rule.code):
            continue
        enabled.add(rule.code)
    return frozenset(enabled)


class RunSettings:
    def __init__(
        self,
        config: Config,
        select: Optional[Tuple[str, ...]] = None,
        ignore: Tuple[str, ...] = (),
        extend_select: Tuple[str, ...] = (),
        cache_dir=None,
    ):
        """cache_dir: where start-up work (parsed packs, the pre-filter) may be kept."""
        try:
            self.kb = load(config.rule_packs, cache_dir)
        except KnowledgeError as exc:
            raise ConfigError(str(exc)) from None
        self.config = config
        self.cache_dir = cache_dir
        self.tree: Optional["SettingsTree"] = None  # the settings of the run's other configs
        self.select_args = (select, tuple(ignore), tuple(extend_select))
        chosen = tuple(select) if select else config.select
        chosen = chosen + tuple(config.extend_select) + tuple(extend_select)
        ignored = tuple(config.ignore) + tuple(ignore)
        validate_selectors(self.kb, chosen, "select")
        validate_selectors(self.kb, ignored, "ignore")
        validate_selectors(self.kb, config.non_suppressible, "non-suppressible")
        for pattern, codes in config.per_file_ignores:
            validate_selectors(self.kb, codes, f'per-file-ignores "{pattern}"')
        self.enabled = enabled_codes(self.kb, chosen, ignored)
        categories = set(self.kb.tables.get("pii", {}).get("categories", {}))
        unknown = sorted(set(config.pii.extra_identifiers.values()) - categories)
        if unknown:
            from gdpr_lint.config import table_name

            raise ConfigError(
                (f"{config.source}: " if config.source else "")
                + f'{table_name(config, "pii")} extra-identifiers: unknown data category "{unknown[0]}" '
                f"(known: {', '.join(sorted(categories))})"
            )
        self._check_retention_limits(config)
        self._check_jurisdictions(config)
        self._per_file: Dict[str, FrozenSet[str]] = {}
        self._vocab: Optional["PiiVocabulary"] = None
        self._checks: Optional[List] = None
        if not config.rule_packs:
            self.prefilter = self._cached_prefilter()
        else:
            # the checks read the merged packs as they load: a user's pack whose data has not
            # the shape of rules/*.toml fails here, and is a config error, not a traceback
            try:
                self.prefilter = self._cached_prefilter()
                self.vocab  # noqa: B018 (built now, so its errors are config errors too)
            except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
                raise ConfigError(
                    f"rule pack {', '.join(config.rule_packs)}: data not shaped as in the built-in "
                    f"rules/*.toml ({type(exc).__name__}: {exc})"
                ) from None
        self.digest = sha256(
            f"{code_version()}\0{self.kb.digest}\0{config.digest()}\0{sorted(self.enabled)}".encode()
        ).hexdigest()

    def _check_retention_limits(self, config: Config) -> None:
        """A limit for a category no rule knows (`sesions = 30`) would silently limit nothing."""
        retention = self.kb.tables.get("retention", {})
        known = set(retention.get("category-nouns", {})) | set(retention.get("category-words", {}))
        known.add(retention.get("generic-category", "storage"))
        for category in config.retention.limits:
            if category not in known:
                from gdpr_lint.config import table_name
                from gdpr_lint.hints import did_you_mean

                hint = did_you_mean(category, known) or f" (known: {', '.join(sorted(known))})"
                raise ConfigError(
                    (f"{config.source}: " if config.source else "")
                    + f'{table_name(config, "retention.limits")}: unknown data category "{category}"{hint}'
                )

    def _check_jurisdictions(self, config: Config) -> None:
        """`allowed-jurisdictions = ["UK"]` was accepted and allowed nothing (the ISO code is
        GB): London was then flagged. Each value must be a group or an ISO 3166 code."""
        table = self.kb.tables.get("jurisdictions", {})
        groups = tuple(table.get("groups", ("EU", "EEA", "adequacy")))
        countries = frozenset(table.get("countries", ()))
        if not countries:
            return
        aliases = table.get("aliases", {})
        for value in config.residency.allowed_jurisdictions:
            if value in groups or value in countries:
                continue
            from gdpr_lint.config import table_name

            upper = value.upper()
            suggestion = (
                aliases.get(upper)
                or next((g for g in groups if g.upper() == upper), None)
                or (upper if upper in countries else None)
            )
            hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
            raise ConfigError(
                (f"{config.source}: " if config.source else "")
                + f'{table_name(config, "residency")} allowed-jurisdictions: "{value}" is neither an ISO 3166 '
                f"country code nor one of {', '.join(groups)}{hint}"
            )

    @property
    def vocab(self) -> "PiiVocabulary":
        """Built when a file is first analysed: a run whose files all fail the pre-filter
        (a typical pre-commit run) never needs it, nor the module that builds it."""
        if self._vocab is None:
            from gdpr_lint.analysis.pii import PiiVocabulary

            self._vocab = PiiVocabulary(
                self.kb.tables,
                extra_identifiers=dict(self.config.pii.extra_identifiers),
                ignore_identifiers=self.config.pii.ignore_identifiers,
                extra_sanitizers=self.config.pii.sanitizers,
            )
        return self._vocab

    @property
    def checks(self) -> List:
        if self._checks is None:
            self._checks = self._load_checks()
        return self._checks

    def resolve_code(self, text: str) -> Optional[str]:
        """A rule code from a code or a kebab-case name (None when unknown)."""
        if text.upper() in self.kb.rules:
            return text.upper()
        rule = self.kb.by_name.get(text) or self.kb.by_name.get(text.lower())
        return rule.code if rule is not None else None

    def ignored_for(self, path: str) -> FrozenSet[str]:
        """Codes that `per-file-ignores` turns off for a file (path as reported)."""
        if not self.config.per_file_ignores:
            return frozenset()
        cached = self._per_file.get(path)
        if cached is None:
            from pathlib import Path

            from gdpr_lint.files import PatternSet

            absolute = (Path.cwd() / path).resolve()
            root = Path(self.config.root)
            off = set()
            for pattern, selectors in self.config.per_file_ignores:
                if PatternSet(root, [pattern]).matches(absolute, False):
                    for rule in self.kb.rules.values():
                        if any(_selector_matches(s, rule) for s in selectors):
                            off.add(rule.code)
            cached = self._per_file[path] = frozenset(off)
        return cached

    def enabled_for(self, path: str) -> FrozenSet[str]:
        return self.enabled - self.ignored_for(path)

    def _load_checks(self) -> List:
        checks = []
        families = sorted({self.kb.rules[c].family for c in self.enabled})
        for family in families:
            try:
                module = importlib.import_module(f"gdpr_lint.checks.{family}")
            except ModuleNotFoundError:
                continue  # families without a check module (meta rules are the engine's own)
            checks.append(module.CHECK(self.kb, self.config, self.enabled))
        return checks

    def _cached_prefilter(self):
        if self.cache_dir is None:
            return self._build_prefilter()
        from pathlib import Path

        from gdpr_lint.knowledge import dump_cache_data, read_cache_file, write_cache_file
        from gdpr_lint.prefilter import CACHE_FORMAT, TokenFilter

        key = sha256(
            f"{code_version()}\0{CACHE_FORMAT}\0{self.kb.digest}\0{self.config.digest()}\0{sorted(self.enabled)}".encode()
        )
        path = Path(self.cache_dir) / f"prefilter-{key.hexdigest()[:24]}.marshal"
        state = read_cache_file(path)  # the filter's own state (__getstate__), as plain data
        if isinstance(state, dict):
            try:
                cached = TokenFilter.__new__(TokenFilter)
                cached.__setstate__(state)
                return cached
            except Exception:  # noqa: BLE001 - a damaged file, whatever it makes the filter raise: build it again
                pass
        prefilter = self._build_prefilter()  # none cached (or None: every file is parsed)
        data = dump_cache_data(prefilter.__getstate__()) if prefilter is not None else None
        if data is not None:
            write_cache_file(path, data)
        return prefilter

    def _build_prefilter(self):
        """A TokenFilter over every enabled check's tokens; None: every file is parsed."""
        from gdpr_lint.prefilter import TokenFilter

        if not self.checks:
            # only meta rules (GDPR001): the point is to parse every file
            return None if "GDPR001" in self.enabled else TokenFilter(())
        tokens, owners, always = [], [], 0
        for number, check in enumerate(self.checks):
            count = len(tokens)
            for token in check.prefilter_tokens():
                if token == "":
                    return None
                tokens.append(token)
                owners.append(number)
            if len(tokens) == count:  # no tokens: nothing tells where it can find something
                always |= 1 << number
        flow = self.kb.tables.get("pii", {}).get("flow", {})
        # calls that turn an object into all of its fields: `vars(x)`, `x.model_dump()`, `x.__dict__`
        dumps = (flow.get("object-dumpers", ()), flow.get("dump-methods", ()), ("__dict__",))
        auto_repr = (flow.get("auto-repr-decorators", ()), flow.get("auto-repr-bases", ()))
        pii = self.kb.tables.get("pii", {})
        phrases = [p.split() for c in pii.get("categories", {}).values() for p in c.get("phrases", ())]
        fields = {words[1] for words in phrases if len(words) == 2 and words[0] == "<person>"}
        # and the words that make an object dumped whole a person's record (`vars(user)`, `member.__dict__`)
        record_words = tuple(pii.get("person-nouns", ())) + tuple(flow.get("record-owner-words", ()))
        person_fields = (pii.get("person-nouns", ()), fields, record_words)
        return TokenFilter(tokens, owners, dumps=dumps, always=always, auto_repr=auto_repr, person_fields=person_fields)

    def checks_for(self, owners: int) -> List:
        """The checks of a file whose text has anchors of the checks in the bit mask
        `owners` (TokenFilter.owners_present, which counts checks with no tokens in)."""
        if owners == (1 << len(self.checks)) - 1:
            return self.checks
        return [check for number, check in enumerate(self.checks) if owners >> number & 1]
