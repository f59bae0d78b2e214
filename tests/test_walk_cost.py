"""The .gitignore handling outside a git repository costs what it costs inside one: each
folder is looked at once, not once per folder below it (warm runs outside git took twice
as long as inside on the benchmark corpus)."""

import os
from pathlib import Path

from gdpr_lint import files
from gdpr_lint.files import FileCollector


def make_tree(root: Path, folders: int = 60) -> None:
    for i in range(folders):
        leaf = root / f"pkg{i % 6}" / f"sub{i % 5}" / f"deep{i}" / "deeper"
        leaf.mkdir(parents=True, exist_ok=True)
        (leaf / "mod.py").write_text("x = 1\n")
        (leaf / "skipped.py").write_text("x = 1\n")
    (root / ".gitignore").write_text("skipped.py\n")


def count_calls(monkeypatch, tree: Path):
    calls = {"realpath": 0, "exists": 0}
    realpath, exists = os.path.realpath, Path.exists

    def counting_realpath(path, *args, **kwargs):
        calls["realpath"] += 1
        return realpath(path, *args, **kwargs)

    def counting_exists(self, *args, **kwargs):
        calls["exists"] += 1
        return exists(self, *args, **kwargs)

    monkeypatch.setattr(files.os.path, "realpath", counting_realpath)
    monkeypatch.setattr(Path, "exists", counting_exists)
    found = FileCollector(tree, (), True, False).collect([str(tree)])
    monkeypatch.undo()
    return found, calls


def test_outside_git_each_folder_is_looked_at_once(tmp_path, monkeypatch):
    tree = tmp_path / "project"
    make_tree(tree)
    assert not any((p / ".git").exists() for p in [tree] + list(tree.parents))
    found, calls = count_calls(monkeypatch, tree)
    assert sorted(p.name for p in found) == ["mod.py"] * 60  # the project's .gitignore applies
    folders = sum(1 for _ in tree.rglob("*") if _.is_dir()) + 1
    depth = len(tree.parts)
    # the walk's own realpath per folder, plus one per folder above the tree; before: one per
    # folder of the chain above every folder (folders x depth)
    assert calls["realpath"] <= folders + depth + 5, (calls, folders, depth)
    assert calls["exists"] <= 2 * (folders + depth) + 5, (calls, folders, depth)


def test_inside_and_outside_git_find_the_same_files(tmp_path, monkeypatch):
    plain, repo = tmp_path / "plain" / "project", tmp_path / "repo" / "project"
    make_tree(plain)
    make_tree(repo)
    (repo / ".git").mkdir()
    outside, _ = count_calls(monkeypatch, plain)
    inside, _ = count_calls(monkeypatch, repo)
    assert [p.relative_to(plain) for p in outside] == [p.relative_to(repo) for p in inside]
