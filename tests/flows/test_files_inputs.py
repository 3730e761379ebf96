"""Awkward inputs through the files flow: real files, real Prefect runs, real DuckDB.

Each case is a repro from issue 11: nothing lost, garbled or read that should not be, and a
bad input gets a clear `failures` row while the run goes on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.files import ingest_files_flow
from tests.warehouse_queries import rows as _rows

pytestmark = pytest.mark.usefixtures("prefect_harness")

FIXTURES = Path(__file__).parent.parent / "fixtures"
CHARSET = FIXTURES / "text" / "charset"


def _record(n: int) -> str:
    return json.dumps(
        {"id": f"r-{n}", "title": f"Story {n}", "text": f"Police said on Monday that {n} met."}
    )


def test_charset_flags_and_json_guards_reach_the_warehouse(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CHARSET / "fr_pt_stray_ff.utf8.txt", folder / "stray.txt")
    shutil.copy(CHARSET / "ru_kommersant.koi8r.latin1-meta.html", folder / "ru.html")
    lines = [_record(1), _record(2), _record(3), "[" * 100_000 + "]" * 100_000]
    (folder / "records.jsonl").write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    summary = ingest_files_flow(paths=[str(folder)], warehouse=str(db))
    assert summary["status"] == "completed_with_failures"
    stored = {
        uri: (enc, errors, warnings, text)
        for uri, enc, errors, warnings, text in _rows(
            db, "SELECT uri, encoding, decode_errors, text_warnings, text FROM articles"
        )
    }
    enc, errors, warnings, text = stored["stray.txt"]
    assert (enc, errors) == ("utf-8", 1) and "replaced" in warnings[0]
    assert "S\u00e3o Paulo" in text and "\u00c3" not in text
    enc, errors, warnings, text = stored["ru.html"]
    assert enc == "koi8-r" and "\u041f\u0443\u0442\u0438\u043d" in text
    assert any("iso-8859-1" in w for w in warnings)
    assert {u for u in stored if u.startswith("records.jsonl")} == {
        f"records.jsonl#{n}" for n in (1, 2, 3)
    }
    assert stored["records.jsonl#1"][:3] == ("utf-8", 0, [])
    assert _rows(db, "SELECT uri, error_type FROM failures") == [
        ("records.jsonl#4", "RecordTooDeep")
    ]
    # Re-enrichment rewrites the rows from the stored text: the flags stay.
    from flows.reprocess import reenrich_flow

    assert reenrich_flow(warehouse=str(db), all=True)["counts"]["reenriched"] == 5
    assert _rows(db, "SELECT encoding, decode_errors FROM articles WHERE uri = 'stray.txt'") == [
        ("utf-8", 1)
    ]
