"""`newsflow eval ...`: extraction, dates, entities, event coding and 5W1H measured on gold data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.app import EXIT_FAILED, EXIT_OK, eval_app, settings_or_exit

CorpusArg = Annotated[Path, typer.Argument(help="Folder or file of gold data.", exists=True)]


@eval_app.command("extraction")
def eval_extraction(corpus: CorpusArg) -> None:
    """Body text (ScrapingHub shingle F1), titles, dates and authors vs gold (fundus, newspaper4k)."""
    from tasks.evaluate.extraction import evaluate_extraction, format_report

    report = evaluate_extraction(corpus)
    typer.echo(format_report(report))
    raise typer.Exit(EXIT_OK if report["gate_ok"] else EXIT_FAILED)


@eval_app.command("dates")
def eval_dates(corpus: CorpusArg) -> None:
    """Publication day of HTML pages, ours vs htmldate alone, per fold (gold.json + pages/)."""
    from tasks.evaluate.dates import evaluate_dates, format_report

    if not (corpus / "gold.json").is_file():
        typer.echo(
            f"error: {corpus} has no gold.json; pass the folder holding gold.json and pages/"
        )
        raise typer.Exit(2)
    report = evaluate_dates(corpus)
    typer.echo(format_report(report))
    raise typer.Exit(EXIT_OK if report["gate_ok"] else EXIT_FAILED)


@eval_app.command("ner")
def eval_ner(corpus: CorpusArg) -> None:
    """PER/LOC/ORG F1 of our entity labels vs the bare model, per fold (a CoNLL NER file)."""
    from tasks.evaluate.ner import evaluate_ner, format_report

    if not corpus.is_file():
        typer.echo(f"error: {corpus} is not a file; pass a CoNLL NER file (token ... tag)")
        raise typer.Exit(2)
    report = evaluate_ner(corpus)
    typer.echo(format_report(report))
    raise typer.Exit(EXIT_OK if report["gate_ok"] else EXIT_FAILED)


def _eval_nlp() -> tuple[Any, Any]:
    from tasks.nlp.events.lexicon import load_lexicon
    from tasks.nlp.pipeline import load_nlp

    settings = settings_or_exit(None, None)
    return (
        load_nlp(settings.nlp.model, settings.nlp.components),
        load_lexicon(settings.enrich.lexicon),
    )


@eval_app.command("events")
def eval_events(corpus: CorpusArg) -> None:
    """PLOVER category accuracy, macro-F1, actor and target match (plover_gsr JSONL)."""
    from tasks.evaluate.events import evaluate_plover, format_report

    nlp, lexicon = _eval_nlp()
    typer.echo(format_report(evaluate_plover(corpus, nlp, lexicon)))


@eval_app.command("5w1h")
def eval_5w1h(
    corpus: CorpusArg,
    folds: Annotated[
        int, typer.Option(help="Also print the figures of this many story folds (0: none).")
    ] = 0,
) -> None:
    """Per-question match rates of 5W1H against Giveme5W1H gold phrases."""
    from tasks.evaluate.fivew import cross_validate, format_folds, format_report

    nlp, lexicon = _eval_nlp()
    cv = cross_validate(corpus, nlp, lexicon, max(1, folds))
    typer.echo(format_report(cv["all"]))
    if folds > 1:
        typer.echo(format_folds(cv))
