"""Decoding bytes to text: the one charset policy for files, pages and feeds.

`decode` is the policy; `decode_text` (files), `decode_html` and `detect_encoding` (pages) are
views of it. In order:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) settles it;
2. for files, binary data (NUL or many control bytes) is refused with `UndecodableError`;
3. the declared charset (HTTP header), then for markup the `<meta>` / XML one, each only if it
   fits: valid (or overwhelmingly valid) UTF-8 beats a single-byte label, which is what
   "declared wrongly" usually means, and a label the bytes do not decode with is passed over;
4. with no label that fits: UTF-8 when the bytes are UTF-8 or overwhelmingly so; mostly-ASCII
   text with a few high bytes is windows-1252 (detectors guess badly on so little evidence);
   otherwise charset-normalizer decides (windows-1252 wins ties);
5. a single-byte decode whose words look garbled (mojibake such as a KOI8-R text read as
   latin-1) is replaced by a single-byte charset that charset-normalizer finds a clean fit for,
   or, when none is found, kept and flagged.

Text that is overwhelmingly valid UTF-8 is decoded as UTF-8 with its few bad bytes replaced by
U+FFFD, never re-read as windows-1252 (which garbles every other accented letter). Whatever was
replaced, overridden or doubted is reported in `Decoded.replaced` and `Decoded.warnings`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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
_SINGLE_BYTE_PREFIXES = (
    "cp12",
    "cp874",
    "iso8859",
    "koi8",
    "mac",
    "cp437",
    "cp85",
    "cp86",
    "tis",
    "kz1048",
    "ptcp154",
)
_WIDE = ("utf-16", "utf-32", "utf_16", "utf_32")
_SAMPLE = 200_000  # bytes looked at by detection and plausibility checks


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can trust."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, with the charset used and anything a reader should know."""

    text: str
    encoding: str  # Python codec name: "utf-8", "cp1252", "koi8-r", ...
    replaced: int = 0  # invalid byte sequences replaced by U+FFFD
    warnings: tuple[str, ...] = ()


# --- helpers ---------------------------------------------------------------------------------


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
    name = _SUPERSETS.get(name, name)
    return codecs.lookup(name).name


def _single_byte(encoding: str) -> bool:
    return encoding.startswith(_SINGLE_BYTE_PREFIXES)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _utf8_evidence(body: bytes) -> tuple[int, int]:
    """(valid multi-byte UTF-8 characters, invalid byte sequences) in the body."""
    text = body.decode("utf-8", "replace")
    replacement = text.count("\ufffd")
    bad = replacement - body.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return non_ascii - replacement, bad


def _overwhelmingly_utf8(body: bytes) -> bool:
    """True for UTF-8 with a few stray bytes (a defect that must not flip the charset).

    Windows-1252 text almost never holds a valid multi-byte UTF-8 sequence by chance (its
    accented letters stand alone between ASCII letters), so valid sequences that outnumber the
    invalid ones say UTF-8.
    """
    good, bad = _utf8_evidence(body)
    return good >= 1 and ((bad <= 3 and bad <= good) or bad * 4 <= good)


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its <meta> or XML declaration (first 16 KB)."""
    head = body[:16384]
    match = _XML_DECL_RE.search(head) or _META_CHARSET_RE.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def charset_of_content_type(value: str | None) -> str | None:
    """The `charset` parameter of a Content-Type header value, if any."""
    for param in (value or "").split(";")[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            return val.strip().strip("'\"") or None
    return None


# Every byte but the control characters that are not tab, newline, form feed or return.
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 12, 13)))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = len(sample.translate(None, _NOT_CONTROL))  # the control bytes left
    return control > max(8, len(sample) // 100)


_WORD_RE = re.compile(r"[^\W\d_]+")


def _garbled(text: str) -> bool:
    """True when a single-byte decode reads like mojibake rather than a Western language.

    KOI8-R, windows-1251 or Greek text read as latin-1 turns every word into a run of accented
    Latin letters ("ÌÏÓË×Á", "Ìîñêâà"), often with the case flipped inside the word. Real
    Western words mix accented letters with plain ones.
    """
    odd = non_ascii = 0
    for word in _WORD_RE.findall(text[:_SAMPLE]):
        if word.isascii():
            continue
        non_ascii += 1
        latin_only = all("\u00c0" <= ch <= "\u024f" for ch in word)
        mixed_case = any(a.islower() and b.isupper() for a, b in zip(word, word[1:]))
        if (latin_only and len(word) >= 3) or mixed_case:
            odd += 1
    return odd >= 2 and odd * 10 >= non_ascii * 3


def _better_single_byte(body: bytes, current: str) -> str | None:
    """A single-byte charset that charset-normalizer finds a clean, ungarbled fit for."""
    try:
        matches = list(from_bytes(body[:_SAMPLE]))
    except Exception:  # noqa: BLE001 - detection is best effort
        return None
    for match in matches:
        encoding = _normalise_charset(match.encoding)
        if encoding is None or encoding == current or not _single_byte(encoding):
            continue
        if match.chaos > 0.2:
            continue
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _garbled(text):
            return encoding
    return None


def _detect(body: bytes) -> str:
    """Charset of a non-UTF-8 body with no usable label."""
    sample = body[:_SAMPLE]
    high = len(sample) - len(sample.decode("latin-1").encode("ascii", "ignore"))
    # Mostly-ASCII text with a few high bytes is Western European: windows-1252, a superset of
    # latin-1 in practice. Detectors guess badly on so little evidence.
    if high <= max(1, len(sample) // 10):
        return "cp1252"
    try:
        matches = from_bytes(sample)
        best = matches.best()
        if best is not None:
            # Short Western texts fit several code pages equally well; windows-1252 is by far
            # the most common legacy charset, so it wins ties.
            for match in matches:
                if (
                    match.encoding in ("cp1252", "windows-1252")
                    and match.chaos <= best.chaos + 0.01
                ):
                    return "cp1252"
            found = _normalise_charset(best.encoding)
            if found is not None:
                return found
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return "cp1252"


# --- the policy ------------------------------------------------------------------------------


def _choose(body: bytes, labels: list[str], warnings: list[str]) -> str:
    """The charset to decode a body with (BOMs and binary data handled by the caller)."""
    is_ascii = body.isascii()
    utf8_ok = not is_ascii and _decodes(body, "utf-8")
    utf8_mostly = not is_ascii and not utf8_ok and _overwhelmingly_utf8(body)
    for label in labels:
        encoding = _normalise_charset(label)
        if encoding is None or encoding.startswith(_WIDE):
            continue  # an ASCII-compatible body cannot be UTF-16: browsers ignore such labels
        if is_ascii:
            return "utf-8" if encoding == "cp1252" else encoding
        if encoding == "utf-8":
            if utf8_ok or utf8_mostly:
                return "utf-8"
            warnings.append(f"declared charset {label} does not fit the bytes (not UTF-8)")
            continue
        if (utf8_ok or utf8_mostly) and _single_byte(encoding):
            return "utf-8"
        if not _decodes(body, encoding):
            warnings.append(f"declared charset {label} does not fit the bytes")
            continue
        if _single_byte(encoding) and _garbled(body[:_SAMPLE].decode(encoding, "replace")):
            better = _better_single_byte(body, encoding)
            if better is not None:
                warnings.append(
                    f"declared charset {label} gives garbled text; decoded as {better} instead"
                )
                return better
            warnings.append(
                f"text decoded with the declared charset {label} looks garbled "
                "(words of accented letters only); the label may be wrong"
            )
        return encoding
    if is_ascii or utf8_ok or utf8_mostly:
        return "utf-8"
    encoding = _detect(body)
    if _single_byte(encoding) and _garbled(body[:_SAMPLE].decode(encoding, "replace")):
        better = _better_single_byte(body, encoding)
        if better is not None:
            warnings.append(f"{encoding} gives garbled text; decoded as {better} instead")
            return better
        warnings.append(
            f"text decoded as {encoding} looks garbled (words of accented letters only); "
            "its charset is uncertain"
        )
    return encoding


def _bom(body: bytes) -> str | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def decode(
    data: bytes,
    declared: str | None = None,
    *,
    markup: bool = False,
    refuse_binary: bool = True,
) -> Decoded:
    """Decode bytes by the one policy (see the module docstring).

    `declared` is the charset a header or label gives; with `markup`, a `<meta>` or XML
    declaration is read too. With `refuse_binary`, binary data raises `UndecodableError`.
    """
    warnings: list[str] = []
    encoding = _bom(data)
    if encoding is None:
        if refuse_binary and _looks_binary(data):
            raise UndecodableError("the file looks binary (NUL or control bytes), not text")
        labels = [declared] if declared else []
        if markup and (meta := sniff_meta_charset(data)):
            labels.append(meta)
        encoding = _choose(data, labels, warnings)
    try:
        return Decoded(data.decode(encoding), encoding, 0, tuple(warnings))
    except UnicodeDecodeError:
        text = data.decode(encoding, "replace")
    except LookupError:
        encoding = "utf-8"
        text = data.decode(encoding, "replace")
    replaced = text.count("\ufffd")
    if encoding.startswith("utf-8"):
        replaced -= data.count(b"\xef\xbf\xbd")
    return Decoded(text, encoding, replaced, (replacement_warning(replaced, encoding), *warnings))


def replacement_warning(replaced: int, encoding: str) -> str:
    """The warning that says how many invalid byte sequences were replaced."""
    plural = "s" if replaced != 1 else ""
    return (
        f"{replaced} invalid byte sequence{plural} replaced by U+FFFD while decoding as {encoding}"
    )


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a file's bytes: (text, encoding used). Raises UndecodableError for binary data."""
    result = decode(data, declared)
    return result.text, result.encoding


def detect_encoding(body: bytes, declared_charset: str | None = None) -> str:
    """The charset to decode an HTML/text body with (BOM, declared, <meta>, UTF-8, detection)."""
    return decode(body, declared_charset, markup=True, refuse_binary=False).encoding


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Decode an HTML page: BOM, declared charset, <meta> sniffing, UTF-8, then detection."""
    return decode(body, declared_charset, markup=True, refuse_binary=False).text
