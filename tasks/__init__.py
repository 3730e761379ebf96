"""newsflow tasks: the pure work of each pipeline stage, in packages by stage.

`acquire` (files, HTTP, feeds, URLs), `text` (decoding, HTML extraction, cleaning, identity),
`nlp` (spaCy pipeline, entities, dates, quotes, 5W1H, events), `store` (the DuckDB warehouse),
`evaluate` (scorers on gold data), plus `records` and `settings`. Prefect wrappers live in
`flows/`.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
