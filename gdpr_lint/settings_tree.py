"""Settings found from the files checked, as ruff finds them: the nearest pyproject.toml with
a [tool.gdpr-lint] table, gdpr-lint.toml or .gdpr-lint.toml above each file wins, so a
project gets the same results whatever folder the linter is run from, and a sub-project
with its own config keeps it. `--config FILE` names one config for every file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from gdpr_lint.config import ConfigFinder, load_config, with_overrides


def real_folder(path: Path) -> Path:
    """The path with links resolved, as config discovery compares them; never raises (a link
    loop named on the command line is reported when it is read, not here)."""
    return Path(os.path.realpath(str(path)))


def discovery_start(paths: Sequence[str], cwd: Path) -> Optional[Path]:
    """The config every named path shares (`cd /tmp && gdpr-lint check ~/shop` reads
    ~/shop's settings, fail-on and baseline included); None when they differ or name none,
    then the working directory's config is the run's."""
    finder = ConfigFinder()
    found = set()
    for raw in paths:
        if raw == "-":
            return None
        path = Path(os.path.abspath(os.path.join(str(cwd), raw)))
        folder = path if path.is_dir() else path.parent
        found.add(finder.nearest(real_folder(folder)))
    if len(found) == 1:
        return found.pop()
    return None


class SettingsTree:
    """RunSettings per config file. `primary` is the run's own (from --config, the config
    the named paths share, or the working directory's): files with no config above them
    use it, and so does every file when the config was named explicitly."""

    def __init__(self, primary, explicit: bool, overrides: Optional[dict] = None):
        self.primary = primary
        self.explicit = explicit
        self.overrides = dict(overrides or {})
        self.finder = ConfigFinder()
        self._by_source: Dict[Optional[Path], object] = {None: primary}
        if primary.config.source:
            self._by_source[real_folder(Path(primary.config.source))] = primary

    def source_for(self, folder: Path) -> Optional[Path]:
        if self.explicit:
            return None
        return self.finder.nearest(folder)

    def settings_for(self, source: Optional[Path]):
        """RunSettings for a config file (raises ConfigError for a broken one)."""
        settings = self._by_source.get(source)
        if settings is None:
            from gdpr_lint.settings import RunSettings

            config = with_overrides(load_config(str(source)), **self.overrides)
            select, ignore, extend_select = self.primary.select_args
            settings = RunSettings(config, select, ignore, extend_select, self.primary.cache_dir)
            self._by_source[source] = settings
        return settings

    def for_folder(self, folder: Path):
        return self.settings_for(self.source_for(real_folder(folder)))

    def group(self, files: Iterable[Path]) -> List[Tuple[object, List[Path]]]:
        """(settings, files) for each config the files use, in the order first met."""
        groups: Dict[int, Tuple[object, List[Path]]] = {}
        for path in files:
            settings = self.for_folder(path.parent)
            groups.setdefault(id(settings), (settings, []))[1].append(path)
        return list(groups.values())


def describe_settings(settings) -> List[str]:
    """`--show-settings`: where the settings came from and what they are, as TOML-ish lines."""
    from gdpr_lint._records import fields, is_record

    config = settings.config
    lines = [f"config file: {config.source or '(none found: the defaults)'}", f"root: {config.root}"]
    for field in fields(config):
        if field.name in ("source", "source_style", "root"):
            continue
        value = getattr(config, field.name)
        if is_record(value):
            for sub in fields(value):
                lines.append(f"{field.name}.{sub.name.replace('_', '-')} = {_show(getattr(value, sub.name))}")
        else:
            lines.append(f"{field.name.replace('_', '-')} = {_show(value)}")
    lines.append(f"enabled rules = {_show(sorted(settings.enabled))}")
    return lines


def _show(value) -> str:
    import json

    return json.dumps(value, default=str)
