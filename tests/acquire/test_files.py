"""Finding and reading local files: identity, special files, symbolic links, races."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tasks.acquire.files import FileRef, discover, discover_files, read_file, read_files
from tasks.records import Failure, RawDocument
from tasks.text.extract import prepare_articles


def _write(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\nThe minister said on Monday that {title.lower()} went well.\n")
    return path


def _ids(refs: list[FileRef]) -> dict[str, str]:
    docs, failures = read_files(refs, 1_000_000)
    assert not failures
    articles, failures = prepare_articles(docs)
    assert not failures
    return {a.uri: a.id for a in articles}


def _finishes(fn: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Run `fn` in a thread; fail (instead of hanging the suite) if it blocks."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked: a special file was opened"
    return out[0]


# --- identity --------------------------------------------------------------------------------


def test_same_relative_path_under_two_folders_is_two_files(tmp_path: Path) -> None:
    a = _write(tmp_path / "A" / "data" / "x.txt", "Talks in Paris").parent
    b = _write(tmp_path / "B" / "data" / "x.txt", "Floods in Spain").parent
    id_a = _ids(discover_files([a])[0])["x.txt"]
    id_b = _ids(discover_files([b])[0])["x.txt"]
    assert id_a != id_b


def test_identity_is_the_resolved_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path / "news" / "x.txt", "Talks in Paris").parent
    (tmp_path / "link-to-news").symlink_to(folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    givens = (str(folder), "news", "./news/", "link-to-news", str(folder / ".." / "news"))
    seen = {given: _ids(discover_files([given])[0]) for given in givens}
    assert len({ids["x.txt"] for ids in seen.values()}) == 1
    (ref,), _ = discover_files(["news"])
    assert ref.source == str(folder.resolve()) and ref.uri == "x.txt"
    # The file named on its own, or its folder's parent: the same file, the same id.
    (single,), _ = discover_files(["news/x.txt"])
    assert _ids([single])["x.txt"] == seen["news"]["x.txt"]
    (deeper,), _ = discover_files([tmp_path])
    assert deeper.uri == "news/x.txt" and _ids([deeper])["news/x.txt"] == seen["news"]["x.txt"]


def test_named_source_keeps_ids_when_the_folder_moves(tmp_path: Path) -> None:
    folder = _write(tmp_path / "one" / "wire" / "sub" / "x.txt", "Talks in Paris").parents[1]
    refs, _ = discover_files([folder], source="wire")
    assert [(r.source, r.uri) for r in refs] == [("wire", "sub/x.txt")]
    before = _ids(refs)
    moved = tmp_path / "two" / "renamed"
    moved.parent.mkdir()
    shutil.move(folder, moved)
    assert _ids(discover_files([moved], source="wire")[0]) == before
    assert _ids(discover_files([moved])[0]) != before  # unnamed: identity is the path


def test_named_source_refuses_two_files_with_one_identity(tmp_path: Path) -> None:
    a = _write(tmp_path / "A" / "x.txt", "Talks in Paris").parent
    b = _write(tmp_path / "B" / "x.txt", "Floods in Spain").parent
    refs, failures = discover_files([a, b], source="wire")
    assert [r.path for r in refs] == [a / "x.txt"]
    (failure,) = failures
    assert failure.error_type == "DuplicateIdentity" and failure.source == "wire"
    assert str(b / "x.txt") in failure.message and "--source" in failure.message


@pytest.mark.parametrize("name", ["", "a/b", "/abs", ".hidden", "x\n"])
def test_source_name_is_checked(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="source name"):
        discover_files([tmp_path], source=name)


def test_a_path_given_twice_is_read_once(tmp_path: Path) -> None:
    folder = _write(tmp_path / "news" / "x.txt", "Talks in Paris").parent
    _write(folder / "y.txt", "Floods in Spain")
    refs, failures = discover_files([folder, folder, folder / "x.txt", tmp_path])
    assert not failures
    assert sorted(r.path.name for r in refs) == ["x.txt", "y.txt"]


def test_roots_are_reported_for_the_sources_table(tmp_path: Path) -> None:
    folder = _write(tmp_path / "news" / "x.txt", "Talks in Paris").parent
    single = _write(tmp_path / "other" / "y.txt", "Floods in Spain")
    found = discover([folder, single, tmp_path / "missing"])
    real, other = str(folder.resolve()), str(single.parent.resolve())
    assert found.roots == [(real, real), (other, other)]
    named = discover([folder], source="wire")
    assert named.roots == [("wire", real)]
    assert [f.error_type for f in found.failures] == ["FileNotFoundError"]


# --- special files ---------------------------------------------------------------------------


def test_fifo_in_a_folder_is_skipped_without_opening_it(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "good.txt", "Talks in Paris")
    os.mkfifo(folder / "x.txt")

    def run() -> tuple[list[RawDocument], list[Failure]]:
        refs, failures = discover_files([folder])
        docs, more = read_files(refs, 1_000_000)
        return docs, failures + more

    docs, failures = _finishes(run)
    assert [d.uri for d in docs] == ["good.txt"]
    (failure,) = failures
    assert (failure.uri, failure.error_type) == ("x.txt", "NotARegularFile")
    assert "FIFO" in failure.message


def test_fifo_named_on_the_command_line_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.txt")
    refs, failures = _finishes(lambda: discover_files([tmp_path / "x.txt"]))
    assert refs == [] and [f.error_type for f in failures] == ["NotARegularFile"]


def test_file_replaced_by_a_fifo_after_discovery_is_not_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.txt", "Talks in Paris")
    (ref,), _ = discover_files([tmp_path])
    path.unlink()
    os.mkfifo(path)
    result = _finishes(lambda: read_file(ref, 1_000_000))
    assert isinstance(result, Failure) and result.error_type == "NotARegularFile"


def test_socket_in_a_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(folder / "feed.jsonl"))
        refs, failures = discover_files([folder])
    finally:
        sock.close()
    assert refs == [] and [f.error_type for f in failures] == ["NotARegularFile"]
    assert "socket" in failures[0].message


def test_file_that_vanishes_or_becomes_a_link_after_discovery(tmp_path: Path) -> None:
    gone = _write(tmp_path / "gone.txt", "Talks in Paris")
    swapped = _write(tmp_path / "swapped.txt", "Floods in Spain")
    refs, _ = discover_files([tmp_path])
    gone.unlink()
    swapped.unlink()
    swapped.symlink_to("/etc/hostname")
    docs, failures = read_files(refs, 1_000_000)
    assert docs == []
    assert {f.uri: f.error_type for f in failures} == {
        "gone.txt": "FileNotFoundError",
        "swapped.txt": "SymlinkSkipped",
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_folder_is_recorded(tmp_path: Path) -> None:
    _write(tmp_path / "ok" / "x.txt", "Talks in Paris")
    locked = tmp_path / "locked"
    _write(locked / "y.txt", "Floods in Spain")
    locked.chmod(0)
    try:
        refs, failures = discover_files([tmp_path])
    finally:
        locked.chmod(0o755)
    assert [r.uri for r in refs] == ["ok/x.txt"]
    assert [(f.uri, f.error_type) for f in failures] == [("locked", "PermissionError")]


# --- symbolic links --------------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A root with links of every kind: inside, outside, to folders, dangling, looping."""
    root = tmp_path / "root"
    _write(root / "real" / "a.txt", "Talks in Paris")
    _write(root / ".hidden" / "b.txt", "Floods in Spain")
    outside = _write(tmp_path / "outside" / "c.txt", "Strike in Lyon").parent
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "real" / "a.txt")
    (root / "again").symlink_to(root / "real", target_is_directory=True)
    (root / "visible").symlink_to(root / ".hidden", target_is_directory=True)
    (root / "real" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    (outside / "back").symlink_to(root, target_is_directory=True)
    return root


def test_links_leaving_the_root_are_skipped_and_recorded(linked: Path) -> None:
    refs, failures = _finishes(lambda: discover_files([linked]))
    assert sorted(r.uri for r in refs) == ["alias.txt", "real/a.txt", "visible/b.txt"]
    assert all(linked in r.path.parents for r in refs)  # what is opened is inside the root
    skipped = {f.uri: f for f in failures}
    assert set(skipped) == {"passwd.txt", "elsewhere", "dangling.txt"}
    assert skipped["passwd.txt"].error_type == "SymlinkSkipped"
    assert "/etc/passwd" in skipped["passwd.txt"].message
    assert "ingest.follow_symlinks" in skipped["passwd.txt"].message
    assert skipped["elsewhere"].error_type == "SymlinkSkipped"
    assert skipped["dangling.txt"].error_type == "FileNotFoundError"
    # The link inside the root is a second route to the same text, not a second article.
    docs, more = read_files(refs, 1_000_000)
    assert not more
    articles, _ = prepare_articles(docs)
    texts = {a.uri: a.content_hash for a in articles}
    assert texts["alias.txt"] == texts["real/a.txt"]


def test_follow_symlinks_never(linked: Path) -> None:
    refs, failures = discover_files([linked], follow_symlinks="never")
    assert [r.uri for r in refs] == ["real/a.txt"]
    assert {f.uri for f in failures} == {
        "passwd.txt",
        "elsewhere",
        "alias.txt",
        "again",
        "visible",
        "dangling.txt",
        "real/loop",
    }
    assert all(f.error_type == "SymlinkSkipped" for f in failures)


def test_follow_symlinks_all_follows_out_of_the_root_without_looping(linked: Path) -> None:
    refs, failures = _finishes(lambda: discover_files([linked], follow_symlinks="all"))
    assert sorted(r.uri for r in refs) == [
        "alias.txt",
        "elsewhere/c.txt",
        "passwd.txt",
        "real/a.txt",
        "visible/b.txt",
    ]
    assert [f.uri for f in failures] == ["dangling.txt"]


def test_unknown_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="follow_symlinks"):
        discover_files([tmp_path], follow_symlinks="sometimes")


def test_policy_is_a_setting() -> None:
    from tasks.settings import ConfigError, load_settings

    assert load_settings(env={}).ingest.follow_symlinks == "inside"
    s = load_settings(env={"NEWSFLOW_INGEST_FOLLOW_SYMLINKS": "never"})
    assert s.ingest.follow_symlinks == "never"
    with pytest.raises(ConfigError, match="inside"):
        load_settings(env={"NEWSFLOW_INGEST_FOLLOW_SYMLINKS": "sometimes"})
