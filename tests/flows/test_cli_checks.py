"""Answers before start-up: mistakes on the command line exit 2 with a clear message, without
importing Prefect or spaCy (so no Prefect server starts) and without a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


_PROBE = """
import json, sys
from flows.cli import main
sys.argv = ["newsflow", *json.loads(sys.argv[1])]
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted(m for m in ("prefect", "spacy") if m in sys.modules)}))
"""


def _probe(args: list[str], cwd: Path, **env: str) -> tuple[int, list[str], str, float]:
    """Run the CLI in a fresh process: exit code, heavy modules imported, stderr, seconds."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")} | env,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "Traceback" not in out.stderr, out.stderr
    return result["code"], result["heavy"], out.stderr, seconds


def test_a_missing_path(tmp_path: Path) -> None:
    code, heavy, err, _ = _probe(["ingest", "files", "/no/such/path"], tmp_path)
    assert code == 2 and heavy == []
    assert "/no/such/path" in err and "no such file or folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_path(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x")
    locked.chmod(0)
    code, heavy, err, _ = _probe(["ingest", "files", str(locked)], tmp_path)
    assert code == 2 and heavy == [] and "locked.txt" in err
    assert "not readable" in err or "cannot read" in err


def test_unknown_feeds(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[feeds]]\nname = "bbc-world"\nurl = "https://example.org/rss"\n')
    env = {"NEWSFLOW_SOURCES_FILE": str(sources)}
    code, heavy, err, _ = _probe(["ingest", "feeds", "--source", "bbc-wrld"], tmp_path, **env)
    assert code == 2 and heavy == []
    assert "bbc-wrld" in err and "did you mean bbc-world" in err and str(sources) in err
    sources.write_text("# no feeds yet\n")
    code, heavy, err, _ = _probe(["ingest", "feeds"], tmp_path, **env)
    assert code == 2 and heavy == [] and "no feeds" in err and str(sources) in err
    code, heavy, err, _ = _probe(["ingest", "feeds", "-s", "nope"], tmp_path, **env)
    assert code == 2 and heavy == [] and "nope" in err and "no feeds" in err


def test_bad_urls_config_and_environment(tmp_path: Path) -> None:
    code, heavy, err, _ = _probe(["ingest", "urls", "example.org/a", "ftp://x/y"], tmp_path)
    assert code == 2 and heavy == [] and "example.org/a" in err and "http" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("[ingest]\nbatchsize = 3\n")
    code, heavy, err, _ = _probe(["ingest", "files", str(tmp_path), "--config", str(bad)], tmp_path)
    assert code == 2 and heavy == [] and "batchsize" in err and "batch_size" in err
    code, heavy, err, _ = _probe(["status"], tmp_path, NEWSFLOW_NLP_BATCH_SIZE="8")
    assert code == 2 and heavy == [] and "NEWSFLOW_NLP_BATCH_SIZE" in err


def test_run_without_its_default_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "newsflow.toml"
    cfg.write_text('[ingest]\ndefault_paths = ["articles"]\n')
    code, heavy, err, _ = _probe(["run"], tmp_path)  # ./newsflow.toml, no sources.toml
    assert code == 2 and heavy == []
    assert str(tmp_path / "articles") in err and "ingest.default_paths" in err


def test_reprocessing_needs_a_warehouse(tmp_path: Path) -> None:
    for command in ("reenrich", "reextract"):
        code, heavy, err, _ = _probe([command, "-w", str(tmp_path / "none.duckdb")], tmp_path)
        assert code == 2 and heavy == [] and "none.duckdb" in err


def test_answers_come_fast(tmp_path: Path) -> None:
    """The issue's two cases; the bound is loose because the test machine may be busy."""
    for args in (["ingest", "files", "/no/such/path"], ["ingest", "feeds", "--source", "nope"]):
        code, heavy, _, seconds = _probe(args, tmp_path)
        assert code == 2 and heavy == [] and seconds < 10, (args, seconds)
