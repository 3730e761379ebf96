"""Reading local article files: discovery and reading (I/O only).

A file that cannot be used becomes a `Failure` with a reason a person can act on; it never
stops the run.

Identity. A file is known by its source and its path within the folder it was found in:

- by default the source is the folder's resolved absolute path, so the identity is the file's
  resolved path: the same folder reached through a symbolic link, a relative or an absolute
  path gives the same ids, and two folders that share a name (`A/data`, `B/data`) never do;
- with a source name (`ingest files --source NAME`) the identity is (NAME, path within the
  given folder), so a folder that moves keeps its ids. Two files of one named source with the
  same relative path are refused (`DuplicateIdentity`) rather than let one replace the other.

Only regular files are opened. FIFOs, sockets and devices are recorded and never opened (a
FIFO would block the run for good), and a file is opened with O_NONBLOCK and O_NOFOLLOW, then
checked again, in case it changed since it was found.

Symbolic links met inside a folder follow `follow_symlinks`: "inside" (the default) follows
links whose target lies inside the folder, "never" follows none, "all" follows every one.
A link not followed is recorded (`SymlinkSkipped`, with its target and the setting). Every
real folder is walked once, so linked folders cannot loop. A path named on the command line is
the user's choice and is resolved whatever the policy.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from tasks.records import Failure, RawDocument

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
}
SYMLINK_POLICIES = ("inside", "never", "all")


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file to ingest: the real path to open, its source and its path within the source."""

    path: Path  # the real file (links resolved): what is opened
    source: str  # a source name, or the resolved path of the folder it was found in
    uri: str  # path within that folder as walked: a followed link keeps its own name


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found: files to read, what could not be used, and the folders walked."""

    refs: list[FileRef]
    failures: list[Failure]
    roots: list[tuple[str, str]] = field(default_factory=list)  # (source, folder path)


def media_type_of(path: Path | PurePosixPath) -> str | None:
    """Media type by suffix, looking through a trailing `.gz`; None when we cannot read it."""
    suffixes = [x.lower() for x in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return MEDIA_TYPES.get(suffixes[0]) if len(suffixes) == 2 else None
    return MEDIA_TYPES.get(path.suffix.lower())


def check_source_name(name: str) -> str:
    """A user-given source name, or ValueError saying what a name may be."""
    if (
        not name
        or name != name.strip()
        or name.startswith(".")
        or "/" in name
        or "\\" in name
        or not name.isprintable()
    ):
        raise ValueError(
            f"source name {name!r} is not usable: give a short name without slashes, "
            "leading dots or control characters (e.g. --source reuters-archive)"
        )
    return name


def _excluded(name: str, exclude: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in exclude)


def _kind(mode: int) -> str:
    """What a non-regular file is, for a person."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _Walk:
    """One folder walked under a symlink policy; every real folder visited once."""

    def __init__(self, root: str, source: str, exclude: Sequence[str], policy: str) -> None:
        self.root = root
        self.source = source
        self.exclude = exclude
        self.policy = policy
        self.visited: set[tuple[int, int]] = set()  # (device, inode) of folders walked
        self.refs: list[FileRef] = []
        self.failures: list[Failure] = []

    def fail(self, uri: str, error_type: str, message: str) -> None:
        self.failures.append(Failure("read", self.source, uri, error_type, message))

    def run(self) -> None:
        """Walk real folders first, then linked ones not walked yet (so real paths win)."""
        pending: list[tuple[str, str]] = [(self.root, "")]  # (real folder, path within root)
        linked: list[tuple[str, str]] = []
        while pending or linked:
            folder, rel = pending.pop() if pending else linked.pop(0)
            try:
                st = os.stat(folder)
                key = (st.st_dev, st.st_ino)
                if key in self.visited:
                    continue  # walked already under its real name or another link: no loops
                self.visited.add(key)
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self.fail(
                    rel or ".",
                    type(exc).__name__,
                    f"cannot list folder {folder}: {exc.strerror or exc}; "
                    "fix its permissions or leave it out",
                )
                continue
            subfolders: list[tuple[str, str]] = []
            for entry in entries:
                if entry.name.startswith(".") or _excluded(entry.name, self.exclude):
                    continue
                uri = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    self._entry(entry, uri, subfolders, linked)
                except OSError as exc:
                    self.fail(uri, type(exc).__name__, f"cannot read {entry.path}: {exc}")
            pending.extend(reversed(subfolders))

    def _entry(
        self,
        entry: os.DirEntry[str],
        uri: str,
        subfolders: list[tuple[str, str]],
        linked: list[tuple[str, str]],
    ) -> None:
        readable = media_type_of(PurePosixPath(entry.name)) is not None
        if entry.is_symlink():
            self._link(entry, uri, readable, linked)
            return
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            subfolders.append((entry.path, uri))
        elif stat.S_ISREG(mode):
            if readable:
                self.refs.append(FileRef(Path(entry.path), self.source, uri))
        elif readable:
            self.fail(
                uri,
                "NotARegularFile",
                f"{uri} is {_kind(mode)}, not a regular file; skipped without opening it",
            )

    def _link(
        self, entry: os.DirEntry[str], uri: str, readable: bool, linked: list[tuple[str, str]]
    ) -> None:
        target = os.path.realpath(entry.path)
        inside = _inside(target, self.root)
        if self.policy == "never" or (self.policy == "inside" and not inside):
            where = "inside" if inside else "outside"
            if readable or os.path.isdir(entry.path):
                self.fail(
                    uri,
                    "SymlinkSkipped",
                    f"{uri} is a symbolic link to {target}, {where} the ingested folder "
                    f"{self.root}; not followed (ingest.follow_symlinks = "
                    f'"{self.policy}"; "all" follows every link)',
                )
            return
        try:
            st = os.stat(entry.path)
        except OSError as exc:
            if readable:
                if exc.errno == errno.ELOOP:
                    self.fail(uri, "SymlinkLoop", f"{uri} is a symbolic link that loops")
                else:
                    self.fail(
                        uri,
                        "FileNotFoundError",
                        f"{uri} is a symbolic link to {target}, which does not exist",
                    )
            return
        if stat.S_ISDIR(st.st_mode):
            linked.append((target, uri))
        elif stat.S_ISREG(st.st_mode):
            if readable:
                self.refs.append(FileRef(Path(target), self.source, uri))
        elif readable:
            self.fail(
                uri,
                "NotARegularFile",
                f"{uri} links to {target}, {_kind(st.st_mode)}; skipped without opening it",
            )


def discover(
    paths: Iterable[str | Path],
    exclude: Sequence[str] = (),
    *,
    source: str | None = None,
    follow_symlinks: str = "inside",
) -> Discovery:
    """Expand files and folders into the files newsflow can read, in a stable order.

    Inside folders, hidden entries and names matching `exclude` (globs, case-insensitive) are
    skipped; a file named explicitly is always read. `source` names the source (see the module
    docstring for what it changes); `follow_symlinks` is "inside", "never" or "all".
    """
    if follow_symlinks not in SYMLINK_POLICIES:
        raise ValueError(
            f"ingest.follow_symlinks = {follow_symlinks!r}: use one of "
            + ", ".join(f'"{p}"' for p in SYMLINK_POLICIES)
        )
    if source is not None:
        check_source_name(source)
    refs: list[FileRef] = []
    failures: list[Failure] = []
    roots: dict[str, str] = {}
    for given in paths:
        path = Path(given).expanduser()
        try:
            st = os.stat(path)
        except OSError as exc:
            failures.append(
                Failure(
                    "read",
                    source or str(path.absolute().parent),
                    str(path),
                    "FileNotFoundError" if exc.errno == errno.ENOENT else type(exc).__name__,
                    f"{path} does not exist; check the path"
                    if exc.errno == errno.ENOENT
                    else f"cannot use {path}: {exc.strerror or exc}",
                )
            )
            continue
        real = os.path.realpath(path)
        if stat.S_ISDIR(st.st_mode):
            name = source or real
            roots.setdefault(real, name)
            walk = _Walk(real, name, exclude, follow_symlinks)
            walk.run()
            refs.extend(sorted(walk.refs, key=lambda r: r.uri))
            failures.extend(walk.failures)
        else:
            folder, filename = os.path.split(real)
            name = source or folder
            roots.setdefault(folder, name)
            if stat.S_ISREG(st.st_mode):
                refs.append(FileRef(Path(real), name, filename))
            else:
                failures.append(
                    Failure(
                        "read",
                        name,
                        filename,
                        "NotARegularFile",
                        f"{path} is {_kind(st.st_mode)}, not a regular file; not opened",
                    )
                )
    unique: dict[str, FileRef] = {}
    for ref in refs:
        key = f"{ref.source}/{ref.uri}" if source else os.path.join(ref.source, ref.uri)
        first = unique.setdefault(key, ref)
        if first is not ref and first.path != ref.path:
            failures.append(
                Failure(
                    "read",
                    ref.source,
                    ref.uri,
                    "DuplicateIdentity",
                    f"{ref.path} and {first.path} are both {ref.uri!r} in source "
                    f"{ref.source!r}; only the first is read. Ingest the folders under "
                    "different --source names",
                )
            )
    by_source: dict[str, list[str]] = {}
    for folder, name in roots.items():
        by_source.setdefault(name, []).append(folder)
    return Discovery(
        list(unique.values()),
        failures,
        [(name, ", ".join(folders)) for name, folders in by_source.items()],
    )


def discover_files(
    paths: Iterable[str | Path],
    exclude: Sequence[str] = (),
    *,
    source: str | None = None,
    follow_symlinks: str = "inside",
) -> tuple[list[FileRef], list[Failure]]:
    """`discover`, as (files to read, failures)."""
    found = discover(paths, exclude, source=source, follow_symlinks=follow_symlinks)
    return found.refs, found.failures


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def read_file(ref: FileRef, max_bytes: int) -> RawDocument | Failure:
    """Read one file's bytes (I/O only), refusing files over `max_bytes` without reading them.

    The file is opened without blocking and without following a link, then checked to be a
    regular file: it may have changed since discovery. A `.gz` file is decompressed, stopping
    as soon as it passes `max_bytes` (a bomb stays small).
    """
    name = PurePosixPath(ref.uri)
    media_type = media_type_of(name) or media_type_of(ref.path) or "text/plain"
    too_large = (
        f"over the {max_bytes / 1e6:.1f} MB limit (ingest.max_file_bytes); "
        "split it or raise the limit"
    )

    def failed(error_type: str, message: str) -> Failure:
        return Failure("read", ref.source, ref.uri, error_type, message)

    try:
        fd = os.open(ref.path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return failed(
                "SymlinkSkipped",
                f"{ref.path} became a symbolic link after it was found; not followed",
            )
        if isinstance(exc, PermissionError):
            return failed(
                "PermissionError",
                f"cannot read {ref.path}: permission denied ({exc.strerror}); "
                "fix the file's permissions",
            )
        return failed(type(exc).__name__, f"cannot read {ref.path}: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return failed(
                    "NotARegularFile",
                    f"{ref.path} is {_kind(st.st_mode)} now, not a regular file; not read",
                )
            if st.st_size > max_bytes:
                return failed("FileTooLarge", f"file is {st.st_size / 1e6:.1f} MB, {too_large}")
            content = fh.read(max_bytes + 1)
        if len(content) > max_bytes:
            return failed("FileTooLarge", f"file grew while read, {too_large}")
        if name.suffix.lower() == ".gz" or ref.path.suffix.lower() == ".gz":
            content = _gunzip(content, max_bytes)
    except _TooLargeWhenDecompressed:
        return failed("FileTooLarge", f"file decompresses to {too_large}")
    except (OSError, EOFError, zlib.error) as exc:
        return failed(
            type(exc).__name__,
            f"cannot read {ref.path}: {getattr(exc, 'strerror', None) or exc}",
        )
    mtime = datetime.fromtimestamp(st.st_mtime, UTC)
    return RawDocument(ref.source, ref.uri, content, media_type, mtime, route="file")


class _TooLargeWhenDecompressed(ValueError):
    """A compressed file inflates past the size limit."""


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, stopping past `max_bytes`."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, max_bytes + 1)
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise _TooLargeWhenDecompressed()
    return out + inflater.flush()


def read_files(refs: Sequence[FileRef], max_bytes: int) -> tuple[list[RawDocument], list[Failure]]:
    """Read a batch of files; failures are returned beside the documents."""
    docs: list[RawDocument] = []
    failures: list[Failure] = []
    for ref in refs:
        result = read_file(ref, max_bytes)
        if isinstance(result, Failure):
            failures.append(result)
        else:
            docs.append(result)
    return docs, failures
