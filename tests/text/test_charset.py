"""The one decoder (tasks.text.charset) on real bytes: stray bytes, wrong labels, legacy charsets."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.records import RawDocument
from tasks.text.charset import UndecodableError, decode, decode_html, decode_text
from tasks.text.extract import prepare_articles
from tests.localserver import LocalServer

CHARSET = Path(__file__).parent.parent / "fixtures" / "text" / "charset"
STRAY = CHARSET / "fr_pt_stray_ff.utf8.txt"
KOI8_TXT = CHARSET / "ru_kommersant.koi8r.txt"
KOI8_HTML = CHARSET / "ru_kommersant.koi8r.latin1-meta.html"
RU_TITLE = "\u041b\u0435\u0433\u043a\u0438\u0439 \u0442\u0440\u043e\u043d\u043d\u0438\u043d\u0433"
PUTIN = "\u0412\u043b\u0430\u0434\u0438\u043c\u0438\u0440 \u041f\u0443\u0442\u0438\u043d"


def _doc(path: Path, media_type: str = "text/plain") -> RawDocument:
    return RawDocument("test", path.name, path.read_bytes(), media_type, datetime.now(UTC))


# --- UTF-8 with a stray byte ---------------------------------------------------------------


def test_utf8_with_one_stray_byte_stays_utf8_and_is_flagged() -> None:
    data = STRAY.read_bytes()
    result = decode(data)
    assert result.encoding == "utf-8"
    assert result.replaced == 1
    assert "S\u00e3o Paulo" in result.text and "Caf\u00e9 Girondino" in result.text
    assert "\u00c3" not in result.text  # no mojibake ("SÃ£o")
    assert result.text.count("\ufffd") == 1
    assert result.warnings and "1 invalid" in result.warnings[0]
    # The compatibility wrapper gives the same text.
    assert decode_text(data) == (result.text, "utf-8")


def test_stray_byte_article_carries_its_flag() -> None:
    (article,), failures = prepare_articles([_doc(STRAY)])
    assert not failures
    assert article.encoding == "utf-8" and article.decode_errors == 1
    assert article.text_warnings and "replaced" in article.text_warnings[0]
    assert "S\u00e3o Paulo" in article.text and "\u00c3" not in article.text


def test_a_clean_file_has_no_flag() -> None:
    good = STRAY.read_bytes().replace(b"\xff", b"")
    (article,), _ = prepare_articles(
        [RawDocument("t", "ok.txt", good, "text/plain", datetime.now(UTC))]
    )
    assert article.encoding == "utf-8" and article.decode_errors == 0
    assert article.text_warnings == ()


def test_cp1252_is_not_mistaken_for_broken_utf8() -> None:
    text = "Caf\u00e9 owners protest\n\n\u201cWe will not pay,\u201d said Jos\u00e9 Garc\u00eda."
    result = decode(text.encode("cp1252"))
    assert result.encoding == "cp1252" and result.text == text
    assert result.replaced == 0 and not result.warnings


# --- KOI8-R under a wrong or missing label --------------------------------------------------


def test_koi8r_file_without_a_label_is_read_as_cyrillic() -> None:
    (article,), failures = prepare_articles([_doc(KOI8_TXT)])
    assert not failures
    assert article.title == RU_TITLE and PUTIN in article.text
    assert article.encoding == "koi8-r"


def test_koi8r_page_labelled_latin1_in_its_meta_is_detected() -> None:
    result = decode(KOI8_HTML.read_bytes(), markup=True)
    assert result.encoding == "koi8-r"
    assert PUTIN in result.text
    assert any("iso-8859-1" in w and "koi8-r" in w for w in result.warnings)
    # As a file in an ingested folder.
    (article,), failures = prepare_articles([_doc(KOI8_HTML, "text/html")])
    assert not failures
    assert PUTIN in article.text and article.encoding == "koi8-r"
    assert any("koi8-r" in w for w in article.text_warnings)


def test_koi8r_page_served_as_latin1_is_detected(local_server: LocalServer) -> None:
    from flows.web import PageJob, article_from_page
    from tasks.acquire.http import FetchConfig, Fetcher, FetchResult

    local_server.add_page(
        "/ru/article.html", KOI8_HTML.read_bytes(), content_type="text/html; charset=iso-8859-1"
    )
    url = local_server.url("/ru/article.html")
    with Fetcher(FetchConfig(allow_loopback=True, per_host_rate=0.0)) as fetcher:
        result = fetcher.fetch(url)
    assert isinstance(result, FetchResult)
    assert PUTIN in result.text  # the fetcher's own view of the body agrees
    article, failure = article_from_page(PageJob("test", url, "url"), result)
    assert failure is None and article is not None
    assert PUTIN in article.text and "\u00cd" not in article.text
    assert article.encoding == "koi8-r"
    assert any("iso-8859-1" in w for w in article.text_warnings)


def test_garbled_text_without_a_better_fit_is_flagged() -> None:
    # Three Russian words in KOI8-R inside English: too little for detection, still implausible
    # as latin-1; the decode stays and says so.
    words = "\u041c\u043e\u0441\u043a\u0432\u0430 \u0420\u043e\u0441\u0441\u0438\u044f \u041a\u0440\u0435\u043c\u043b\u044c"
    data = b"The sign said " + words.encode("koi8-r") + b" in large letters, witnesses said."
    result = decode(data, "iso-8859-1")
    assert result.warnings and "garbled" in result.warnings[0]


# --- what already worked keeps working -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "label", "expected"),
    [
        (
            "na\u00efve caf\u00e9 in Z\u00fcrich, \u201cquoted\u201d \u2013 ok",
            "cp1252",
            None,
            "cp1252",
        ),
        ("Fran\u00e7ois Hollande in M\u00fcnchen", "latin-1", None, "cp1252"),
        ("Z\u00fcrich \u2014 caf\u00e9", "utf-8", "iso-8859-1", "utf-8"),
        (
            "\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430 \u0420\u043e\u0441\u0441\u0438\u0438",
            "cp1251",
            "windows-1251",
            "cp1251",
        ),
        (
            "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3067\u3059" * 20,
            "shift_jis",
            "shift_jis",
            "cp932",
        ),
        ("plain ascii", "ascii", "latin-1", "utf-8"),
    ],
)
def test_known_charsets(text: str, codec: str, label: str | None, expected: str) -> None:
    result = decode(text.encode(codec), label)
    assert result.text == text and result.encoding == expected
    assert result.replaced == 0 and not result.warnings


def test_byte_order_marks() -> None:
    text = "Caf\u00e9 \u041c\u043e\u0441\u043a\u0432\u0430"
    assert decode(codecs.BOM_UTF8 + text.encode()).text == text
    assert decode("\ufeff".encode("utf-16-le") + text.encode("utf-16-le")).text == text
    assert decode("\ufeff".encode("utf-16-be") + text.encode("utf-16-be")).text == text
    assert decode(text.encode("utf-16")).encoding == "utf-16"
    assert decode_html(codecs.BOM_UTF8 + b"<p>hi</p>") == "<p>hi</p>"


def test_binary_is_refused_for_files_only() -> None:
    with pytest.raises(UndecodableError):
        decode(bytes(range(256)) * 40)
    assert decode(b"\x00\x01\x02 text", refuse_binary=False).text.endswith("text")
