"""What every warehouse table, view and column means: applied as DuckDB COMMENTs.

`apply_comments` runs as a migration step (`tasks.store.schema`), so `duckdb_tables()`,
`duckdb_views()` and `duckdb_columns()` show these texts; `newsflow schema` prints them and the
README's table reference is generated from them (`python -m tasks.store.reference --readme`).
A migration that adds a column adds its text here and ends with `apply_comments`.
"""

from __future__ import annotations

import duckdb

_PROV = {
    "run_id": "the run that wrote the row (runs.run_id)",
    "model": "the spaCy pipeline and version that produced it",
    "pipeline_version": "newsflow's pipeline version",
    "rules_version": "versions of the rules that shaped it (cleaning, entities, lexicon, ...)",
}

TABLE_COMMENTS: dict[str, str] = {
    "schema_version": "one row per applied schema migration",
    "runs": "one row per flow run (CLI, schedule or ad hoc), with counts and status",
    "sources": "every feed, folder or URL source, with conditional-GET state",
    "articles": "one row per distinct article: metadata, clean text, tone",
    "article_routes": "every way an article arrived (file path, feed, URL)",
    "entities": "one row per canonical entity (name and label) across articles",
    "entity_mentions": "one row per entity mention in an article, with offsets and place",
    "date_mentions": "date expressions resolved against the article's publication date",
    "events": "events (PLOVER): who did what to whom, when, where, with tone (coded: the default)",
    "quotes": "quotations with their speaker and cue verb",
    "five_w1h": "per article: who, what, when, where, why and how of its main event",
    "raw_pages": "fetched page bodies, gzip-compressed, for re-extraction without fetching",
    "failures": "items that failed at some stage, with attempts and retry times",
    "feed_entries": "every entry a feed listed, fetched or not",
    "places": "places of the offline gazetteer named by articles or events",
    "article_signatures": "story-clustering features per article (terms, MinHash signatures)",
    "story_articles": "which story each article belongs to, and how similar it was",
    "stories": "news stories: the same event reported by one or more outlets",
    "story_bands": "LSH buckets of story clustering: one row per article and signature band",
    "entity_mentions_daily": "mentions and articles per entity per publication day",
    "entity_cooccurrence": "pairs of entities named in the same article, with article counts",
    "events_daily": "coded events per day, category, quad class and mode",
    "source_health": "sources with their last check, articles and open failures",
}

COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "schema_version": {
        "version": "migration number",
        "applied_at": "when it was applied",
        "description": "what it changed",
    },
    "runs": {
        "run_id": "Prefect flow run id (a UUID when run outside Prefect)",
        "flow": "flow name (ingest-files, ingest-feeds, ingest-urls, reenrich, ...)",
        "deployment": "deployment name for scheduled or ad-hoc runs; NULL for CLI runs",
        "parameters": "the flow's parameters (JSON)",
        "started_at": "start time",
        "ended_at": "end time",
        "status": "running, completed, completed_with_failures, failed, interrupted or abandoned",
        "counts": "per-stage counts (JSON)",
        "failures": "number of items that failed",
        "message": "error message of a failed run",
        "model": "spaCy pipeline configured for the run",
        "pipeline_version": "newsflow's pipeline version",
        "pid": "process id of the run",
        "hostname": "machine the run ran on",
        "process_started_at": "when that process started (tells a reused pid apart)",
    },
    "sources": {
        "source": "source name: a folder, a configured feed, 'urls'",
        "kind": "folder, feed or urls",
        "uri": "folder path or feed URL",
        "tags": "tags from config/sources.toml",
        "etag": "ETag of the last feed response",
        "last_modified": "Last-Modified of the last feed response",
        "last_checked_at": "when the source was last read",
        "last_status": "outcome of the last check",
        "last_error": "error of the last check, if any",
        "first_seen_at": "when the source was first read",
        "run_id": "the last run that checked it",
    },
    "articles": {
        "article_id": "stable id: from the canonical URL, the record id or the file identity",
        "source": "source of the first route it arrived by",
        "uri": "where it was read from (file path or fetched URL)",
        "url": "canonical URL, when known",
        "route": "file, feed or url",
        "external_id": "the id a JSON record carried",
        "title": "headline",
        "authors": "bylines",
        "site": "site or publisher name",
        "language": "language code",
        "published_at": "publication time",
        "published_inferred": "true when published_at was inferred from the text",
        "captions": "photo captions found in the page",
        "text": "clean body text, paragraphs separated by blank lines",
        "word_count": "words in text",
        "content_hash": "sha256 of title and clean text (changes and exact duplicates)",
        "body_origin": "body, or feed_content/feed_summary when the page gave none",
        "extractor": "extractor and version that produced the text",
        "first_seen_at": "when newsflow first stored it",
        "updated_at": "when it was last replaced",
        "tone": "mean VADER tone of its sentences, -100 (negative) .. +100 (positive)",
        "encoding": "charset the text was decoded with",
        "decode_errors": "bytes that could not be decoded (replaced by U+FFFD)",
        "text_warnings": "doubts about the text (e.g. mojibake, replaced bytes)",
    },
    "article_routes": {
        "article_id": "the article (articles.article_id)",
        "source": "source name of this route",
        "uri": "file path or URL of this route",
        "route": "file, feed or url",
        "first_seen_at": "when this route was first seen",
        "run_id": "the run that recorded it",
    },
    "entities": {
        "entity_id": "hash of the normalised name and the label",
        "name": "canonical name",
        "label": "PERSON, ORG, GPE, LOC, NORP, ...",
        "aliases": "surface forms seen for it",
    },
    "entity_mentions": {
        "article_id": "the article (articles.article_id)",
        "entity_id": "the entity (entities.entity_id)",
        "canonical": "canonical name within the article",
        "label": "label settled across the article's mentions",
        "surface": "text as written",
        "ner_label": "label spaCy gave this mention",
        "start_char": "start offset in articles.text",
        "end_char": "end offset in articles.text",
        "sentence": "sentence index within the article",
        "place_id": "for GPE/LOC mentions, the resolved place (places.place_id)",
    },
    "date_mentions": {
        "article_id": "the article (articles.article_id)",
        "text": "the date expression as written",
        "start_char": "start offset in articles.text",
        "end_char": "end offset in articles.text",
        "value": "resolved date",
        "precision": "day, week, month or year",
        "relative": "true for relative expressions (Monday, last week)",
    },
    "events": {
        "event_id": "stable id: hash of article, trigger offsets, trigger, actor and target",
        "article_id": "the article (articles.article_id)",
        "sentence": "sentence index within the article",
        "trigger": "the word that codes the event",
        "trigger_start": "start offset of the trigger in articles.text",
        "trigger_end": "end offset of the trigger in articles.text",
        "category": "PLOVER category (AGREE, CONSULT, ..., FIGHT)",
        "quad_class": "verbal/material cooperation/conflict",
        "mode": "asserted, planned, hypothetical, negated or reported",
        "confidence": "coder confidence, 0..1",
        "actor": "who did it, as written",
        "actor_entity_id": "the actor's entity (entities.entity_id)",
        "target": "to whom, as written",
        "target_entity_id": "the target's entity (entities.entity_id)",
        "location": "where, as written",
        "location_entity_id": "the location's entity (entities.entity_id)",
        "event_date": "when it happened (or the publication date for asserted events)",
        "date_precision": "day, week, month or year",
        "date_text": "the words the date came from",
        "cameo_code": "CAMEO event code",
        "actor_code": "CAMEO actor code of the actor, e.g. RUSCOP",
        "actor_country": "the actor's country (CAMEO code, e.g. RUS; empty for IGOs)",
        "target_code": "CAMEO actor code of the target",
        "target_country": "the target's country (CAMEO code)",
        "coded": "the actor (and the target, for two-party categories) resolve, in a political "
        "or security context: what an analyst sees by default",
        "is_main": "the event its sentence is about",
        "domain": "political, or the domain that demoted it: sport, entertainment, business, tech",
        "tone": "VADER tone of the event's sentence, -100..+100",
        "place_id": "where it happened, resolved (places.place_id; GDELT's ActionGeo)",
        "action_country": "ISO 3166-1 alpha-2 country of the place",
        "action_lat": "latitude of the place",
        "action_lon": "longitude of the place",
    },
    "quotes": {
        "quote_id": "stable id: hash of article and offsets",
        "article_id": "the article (articles.article_id)",
        "sentence": "sentence index within the article",
        "quotation": "what was said",
        "start_char": "start offset in articles.text",
        "end_char": "end offset in articles.text",
        "kind": "direct or indirect",
        "speaker": "who said it, as written",
        "speaker_entity_id": "the speaker's entity (entities.entity_id)",
        "cue": "the reporting verb",
    },
    "five_w1h": {
        "article_id": "the article (articles.article_id)",
        "who": "who",
        "what": "what happened",
        "when_text": "when, as written",
        "when_date": "when, resolved to a date",
        "where_text": "where, as written",
        "why": "why",
        "how": "how",
    },
    "raw_pages": {
        "url": "the URL as fetched (after redirects)",
        "article_id": "the article extracted from it",
        "fetched_at": "when it was fetched",
        "status": "HTTP status",
        "content_type": "Content-Type header",
        "encoding": "charset used to decode it",
        "headers": "response headers (JSON)",
        "body_gzip": "the body, gzip-compressed",
        "body_sha256": "sha256 of the body",
        "run_id": "the run that fetched it",
    },
    "failures": {
        "failure_id": "stable per (stage, source, uri)",
        "stage": "read, extract, enrich, load, fetch, feed, ...",
        "source": "source name",
        "uri": "file path or URL",
        "error_type": "exception or error kind",
        "message": "what went wrong",
        "http_status": "HTTP status, for fetches",
        "attempts": "how many times it failed",
        "first_seen_at": "first failure",
        "last_seen_at": "latest failure",
        "next_retry_at": "earliest time a later run retries it",
        "resolved_at": "when it later succeeded (NULL while open)",
        "run_id": "the last run that saw it",
    },
    "feed_entries": {
        "source": "the feed's configured name",
        "url": "canonical article URL",
        "article_id": "id the article has (or will have)",
        "entry_id": "guid / atom:id as given",
        "title": "entry title",
        "published_at": "entry publication time",
        "updated_at": "entry update time",
        "authors": "entry authors",
        "summary": "entry summary",
        "status": "fetched, failed, feed_body or truncated",
        "first_seen_at": "when the feed first listed it",
        "last_seen_at": "when the feed last listed it",
        "run_id": "the last run that saw it",
    },
    "places": {
        "place_id": "gn:<geonames id>, or iso:<ISO 3166-2 code> for other subdivisions",
        "name": "the gazetteer's name",
        "country_code": "ISO 3166-1 alpha-2 (NULL for continents)",
        "lat": "latitude (a country's capital; a US state's population centre)",
        "lon": "longitude",
        "kind": "country, city or region",
        "population": "population (geonames)",
    },
    "article_signatures": {
        "article_id": "the article (articles.article_id)",
        "published_at": "publication time used for story dates",
        "outlet": "site or source used for story source counts",
        "title": "headline",
        "terms": "weighted terms of the title and lead",
        "weights": "L2-normalised weights of terms",
        "entities": "named entities (case-folded) of the article",
        "keyword_minhash": "MinHash of the top terms (story candidates via LSH)",
        "shingle_minhash": "MinHash of body word 5-grams (near-duplicates)",
    },
    "story_bands": {
        "article_id": "the article (articles.article_id)",
        "published_at": "its publication time (buckets keep the members nearest in time)",
        "kind": "keyword (story candidates) or shingle (near-duplicate candidates)",
        "band": "band of the signature (0-based)",
        "bucket": "the band's values mixed into one 64-bit key; equal keys collide",
    },
    "story_articles": {
        "story_id": "the story (stories.story_id)",
        "article_id": "the article (articles.article_id)",
        "similarity": "score with which it joined (1.0 for the story's first article)",
        "duplicate_of": "the article it nearly copies (wire copy), if any",
        "joined_at": "when it was placed",
    },
    "stories": {
        "story_id": "stable id, from the story's first article",
        "title": "title of its first article",
        "first_seen": "earliest publication time of its articles",
        "last_seen": "latest publication time of its articles",
        "article_count": "articles in the story",
        "source_count": "distinct outlets (sites or sources)",
        "sources": "the outlets",
        "top_entities": "most-mentioned people, organisations and places across its articles",
        "updated_at": "when the row was last refreshed",
        "run_id": "the run that last refreshed it",
    },
    "entity_mentions_daily": {
        "day": "publication day",
        "entity_id": "the entity",
        "entity": "canonical name",
        "label": "entity label",
        "mentions": "mentions that day",
        "articles": "articles that day",
    },
    "entity_cooccurrence": {
        "entity_a": "first entity id",
        "name_a": "first entity name",
        "entity_b": "second entity id",
        "name_b": "second entity name",
        "articles": "articles naming both",
    },
    "events_daily": {
        "day": "event date, else publication day",
        "category": "PLOVER category",
        "quad_class": "quad class",
        "mode": "event mode",
        "events": "number of coded events",
    },
    "source_health": {
        "source": "source name",
        "kind": "folder, feed or urls",
        "uri": "folder path or feed URL",
        "last_checked_at": "last check",
        "last_status": "outcome of the last check",
        "last_error": "error of the last check",
        "articles": "articles that arrived by it",
        "open_failures": "failures not yet resolved",
    },
}
for _table in (
    "articles",
    "entities",
    "entity_mentions",
    "date_mentions",
    "events",
    "quotes",
    "five_w1h",
    "places",
    "article_signatures",
    "story_articles",
    "story_bands",
):
    for _col, _text in _PROV.items():
        COLUMN_COMMENTS[_table].setdefault(_col, _text)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every documented table, view and column that exists in this warehouse."""
    kinds = dict(
        con.execute(
            "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() "
            "WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()
    )
    columns = set(
        con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall()
    )
    for table, text in TABLE_COMMENTS.items():
        if table in kinds:
            con.execute(f"COMMENT ON {kinds[table]} {table} IS {_quote(text)}").fetchall()
    for table, cols in COLUMN_COMMENTS.items():
        for column, text in cols.items():
            if (table, column) in columns:
                con.execute(f'COMMENT ON COLUMN {table}."{column}" IS {_quote(text)}').fetchall()


def documented_schema(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """(name, TABLE or VIEW, comment, [(column, type, comment)]) of every table and view."""
    objects = con.execute(
        "SELECT table_name, 'TABLE', comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, 'VIEW', comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY 2, 1"
    ).fetchall()
    out = []
    for name, kind, comment in objects:
        cols = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [name],
        ).fetchall()
        out.append((name, kind, comment or "", [(c, t, k or "") for c, t, k in cols]))
    return out
