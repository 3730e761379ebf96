"""Reading local article files: discovery (I/O only) and decoding (pure).

A file that cannot be used becomes a `Failure` with a reason a person can act on; it never
stops the run.
"""

from __future__ import annotations

import fnmatch
import os
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file to ingest: its path, the source (root folder) name and its path within it."""

    path: Path
    source: str
    uri: str


def media_type_of(path: Path) -> str | None:
    """Media type by suffix, looking through a trailing `.gz`; None when we cannot read it."""
    suffixes = [x.lower() for x in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        return MEDIA_TYPES.get(suffixes[0]) if len(suffixes) == 2 else None
    return MEDIA_TYPES.get(path.suffix.lower())


def _excluded(name: str, exclude: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in exclude)


def discover_files(
    paths: Iterable[str | Path], exclude: Sequence[str] = ()
) -> tuple[list[FileRef], list[Failure]]:
    """Expand files and folders into the files newsflow can read, in a stable order.

    Inside folders, hidden files and names matching `exclude` (globs, case-insensitive) are
    skipped; a file named explicitly is always read.
    """
    refs: list[FileRef] = []
    failures: list[Failure] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            root = path.resolve()
            found = sorted(
                p
                for p in root.rglob("*")
                if media_type_of(p) is not None
                and not _excluded(p.name, exclude)
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
            refs.extend(FileRef(p, root.name, p.relative_to(root).as_posix()) for p in found)
        elif path.exists() or path.is_symlink():
            resolved = path.resolve()
            refs.append(FileRef(resolved, resolved.parent.name, resolved.name))
        else:
            failures.append(
                Failure(
                    "read",
                    str(path.parent.name or "."),
                    str(path),
                    "FileNotFoundError",
                    f"{path} does not exist; check the path",
                )
            )
    unique = list({(r.source, r.uri): r for r in refs}.values())
    return unique, failures


def read_file(ref: FileRef, max_bytes: int) -> RawDocument | Failure:
    """Read one file's bytes (I/O only), refusing files over `max_bytes` without reading them.

    A `.gz` file is decompressed, stopping as soon as it passes `max_bytes` (a bomb stays small).
    """
    media_type = media_type_of(ref.path) or "text/plain"
    too_large = (
        f"over the {max_bytes / 1e6:.1f} MB limit (ingest.max_file_bytes); "
        "split it or raise the limit"
    )
    try:
        size = ref.path.stat().st_size
        if size > max_bytes:
            return Failure(
                "read",
                ref.source,
                ref.uri,
                "FileTooLarge",
                f"file is {size / 1e6:.1f} MB, {too_large}",
            )
        with ref.path.open("rb") as fh:
            content = fh.read(max_bytes + 1)
        if ref.path.suffix.lower() == ".gz":
            content = _gunzip(content, max_bytes)
    except _TooLargeWhenDecompressed:
        return Failure(
            "read", ref.source, ref.uri, "FileTooLarge", f"file decompresses to {too_large}"
        )
    except PermissionError as exc:
        return Failure(
            "read",
            ref.source,
            ref.uri,
            "PermissionError",
            f"cannot read {ref.path}: permission denied ({exc.strerror}); "
            "fix the file's permissions",
        )
    except (OSError, EOFError, zlib.error) as exc:
        return Failure(
            "read",
            ref.source,
            ref.uri,
            type(exc).__name__,
            f"cannot read {ref.path}: {getattr(exc, 'strerror', None) or exc}",
        )
    mtime = datetime.fromtimestamp(os.path.getmtime(ref.path), UTC)
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
        (failures if isinstance(result, Failure) else docs).append(result)  # type: ignore[arg-type]
    return docs, failures
