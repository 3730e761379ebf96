"""Enrichment with spaCy: the pipeline, entities, dates, quotes, 5W1H and (in `events/`) events."""
