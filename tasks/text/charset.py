"""Decoding bytes to text: the one charset decoder for files, pages and feeds.

`decode_html` / `detect_encoding` serve web pages (BOM, the declared charset, <meta> sniffing,
then detection); `decode_text` serves local files (BOM, declared, UTF-8, then detection) and
refuses binary data with `UndecodableError`.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_DECL_RE = re.compile(
    rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""", re.IGNORECASE
)
# WHATWG encoding labels that browsers decode with a superset codec.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "tis-620": "cp874",
    "iso8859_11": "cp874",
    "iso8859-9": "cp1254",
}
_SINGLE_BYTE_PREFIXES = ("cp12", "cp874", "iso8859", "koi8", "mac", "cp437", "cp85", "cp86", "tis")


def _normalise_charset(label: str | None) -> str | None:
    """Python codec name for a charset label, with WHATWG supersets; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("'\"").lower()
    if label in ("x-user-defined", "binary", "none"):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _mostly_utf8(body: bytes) -> bool:
    """True for UTF-8 with a few stray bytes (a common defect that should not flip the charset)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127) - bad
    return bad <= max(3, non_ascii // 200) and non_ascii >= 10 * bad


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its <meta> or XML declaration (first 16 KB)."""
    head = body[:16384]
    match = _XML_DECL_RE.search(head) or _META_CHARSET_RE.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def detect_encoding(body: bytes, declared_charset: str | None = None) -> str:
    """The charset to decode an HTML/text body with.

    Order: byte-order mark; the declared (HTTP) charset and then the <meta> one, each only if
    the body decodes with it (a single-byte declaration loses to valid non-ASCII UTF-8, which is
    what "declared wrongly" usually means); UTF-8; charset-normalizer; windows-1252.
    """
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    is_ascii = body.isascii()
    utf8_ok = not is_ascii and _decodes(body, "utf-8")
    for label in (declared_charset, sniff_meta_charset(body)):
        encoding = _normalise_charset(label)
        if encoding is None or encoding.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
            continue  # an ASCII-compatible body cannot be UTF-16: browsers ignore such labels
        if is_ascii:
            return "utf-8" if encoding == "cp1252" else encoding
        if encoding == "utf-8":
            if utf8_ok or _mostly_utf8(body):
                return "utf-8"
            continue
        if utf8_ok and encoding.startswith(_SINGLE_BYTE_PREFIXES):
            return "utf-8"
        if _decodes(body, encoding):
            return encoding
    if is_ascii or utf8_ok:
        return "utf-8"
    try:
        matches = from_bytes(body[:200_000])
        best = matches.best()
        if best is not None:
            # Short Western texts fit several code pages equally well; windows-1252 is by far
            # the most common legacy charset on the web, so it wins ties.
            for match in matches:
                if (
                    match.encoding in ("cp1252", "windows-1252")
                    and match.chaos <= best.chaos + 0.01
                ):
                    return "cp1252"
    except Exception:  # noqa: BLE001 - detection is best effort
        best = None
    if best is not None and best.encoding:
        return _normalise_charset(best.encoding) or best.encoding
    if _mostly_utf8(body):
        return "utf-8"
    return "cp1252"


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Decode an HTML page: BOM, declared charset, <meta> sniffing, then charset-normalizer."""
    encoding = detect_encoding(body, declared_charset)
    try:
        return body.decode(encoding, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can trust."""


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(sample) // 100)


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text: BOM, then declared charset, then UTF-8, then detection.

    Returns (text, encoding used). Raises UndecodableError for binary data.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if _looks_binary(data):
        raise UndecodableError("the file looks binary (NUL or control bytes), not text")
    for encoding in (declared, "utf-8"):
        if encoding:
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                continue
    # Mostly-ASCII text with a few high bytes is Western European (cp1252, a superset of
    # latin-1 in practice): detectors guess badly on so little evidence. Otherwise, detect.
    high = sum(1 for b in data[:200_000] if b >= 0x80)
    if high <= max(1, len(data[:200_000]) // 10):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UndecodableError(f"not valid text in UTF-8 or any detected encoding: {exc}") from exc
