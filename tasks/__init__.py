"""newsflow tasks: the work of each pipeline stage as plain typed functions, in packages by stage.

`acquire` (file discovery and reading, the HTTP fetcher, robots.txt, feeds, canonical URLs),
`text` (the one charset decoder, HTML extraction, text/JSON extraction and article ids,
cleaning), `nlp` (the spaCy pipeline, entities, dates, quotes, 5W1H, `events`), `store` (the
DuckDB warehouse: schema, connections, Arrow loads, named queries), `evaluate` (one scorer per
measure), plus `records` (every record that crosses a stage) and `settings`. `defaults/` is the
configuration shipped with the package (a link to `config/` in a checkout). No Prefect here: the
flows in `flows/` wrap these functions in thin tasks.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
