"""Build the entity ruler's patterns from the PETRARCH2 actor dictionaries (build time only).

    python -m tasks.nlp.build_entity_patterns LEXICON_DIR config/entity_patterns.tsv

Reads `actors_countries.txt`, `actors_international.txt` and `actors_nonstate.txt` (TABARI
format: an entry line `NAME_ [CODE]`, `+SYNONYM_` lines, indented `[CODE date-range]` lines,
`#` comments) and writes entity ruler patterns, `LABEL<TAB>name` a line, names in Title Case
(the ruler also matches them in UPPER CASE, as headlines and datelines set them), with spaCy's
tokens where it splits a name other than at its spaces (so the ruler loads without a tokenizer):
- a country entry (a bare three-letter code such as `[FRA]`): its name and its synonyms
  (other names, cities, regions) are GPE; rivers, lakes, mountains and the like are LOC; a
  one-word synonym that ends like a demonym ("French", "Afghan", but also "Afganistan" or
  "Tehran") gets the label the model gives it in "The X government said ...", NORP or GPE,
  and is left out when the model gives neither;
- an entry with dated roles or an elite code (`[FRAGOV 690620-740403]`, `[ELI]`) whose name
  reads like a person's (two to four words, none of them an organisation word) is PERSON;
- every other entry (IGOs, armed forces, agencies, parties, non-state groups) is ORG.
A phrase the dictionaries give two labels is left out, and so is a one-word synonym that is an
everyday English word ("Champagne", "Turkey" as a synonym); country names are always kept.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tasks.nlp.entities import HONORIFICS, OFFICE_TITLES
from tasks.nlp.ruler import MERGE_RULES, PRETOKENIZED

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["Entry", "build_patterns", "parse_tabari", "title_case", "write_patterns"]

FILES = ("actors_countries.txt", "actors_international.txt", "actors_nonstate.txt")

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_DATED_RE = re.compile(r"\d{6}|[<>]\d")
_COUNTRY_RE = re.compile(r"^[A-Z]{3}$")
_BAD_CHARS_RE = re.compile(r"[!{}*$%&=<>|~]|\+")
_SMALL_WORDS = frozenset({"of", "the", "and", "for", "de", "la", "le", "du", "des", "da", "del"})
_ORG_WORDS = frozenset(
    """ARMY FORCE FORCES PARTY FRONT MOVEMENT COUNCIL COMMITTEE UNION ORGANIZATION
    ORGANISATION GROUP BRIGADE BRIGADES ASSOCIATION FEDERATION BANK FUND AGENCY COMMISSION
    MINISTRY POLICE GOVERNMENT CONGRESS ASSEMBLY PARLIAMENT COURT OFFICE INSTITUTE CENTER
    CENTRE LEAGUE ALLIANCE COALITION NETWORK SOCIETY FOUNDATION CORPORATION COMPANY COMMAND
    GUARD GUARDS SERVICE SERVICES AUTHORITY BUREAU DEPARTMENT DIRECTORATE DIVISION SECURITY
    NATIONAL REVOLUTIONARY ISLAMIC LIBERATION PEOPLE PEOPLES PEOPLE'S CELLS NUCLEI
    INTERNATIONAL UNITED NATIONS REPUBLIC KINGDOM STATE STATES BOARD TRIBUNAL MISSION""".split()
)
_PLACE_WORDS = {
    "RIVER": "LOC",
    "LAKE": "LOC",
    "MOUNTAINS": "LOC",
    "MOUNT": "LOC",
    "VALLEY": "LOC",
    "SEA": "LOC",
    "GULF": "LOC",
    "BAY": "LOC",
    "DESERT": "LOC",
    "ISLAND": "LOC",
    "ISLANDS": "LOC",
    "PENINSULA": "LOC",
    "STRAIT": "LOC",
    "PALACE": "FAC",
    "AIRPORT": "FAC",
    "BRIDGE": "FAC",
}
_TITLES = frozenset(OFFICE_TITLES | HONORIFICS | {"secretary-general", "party", "head", "of"})
_DEMONYM_ENDINGS = ("AN", "ANS", "ESE", "ISH", "I", "IS", "CH", "IC", "EK", "OT", "SS")


@dataclass
class Entry:
    """One dictionary entry: its names (the first is the main one) and its codes."""

    names: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    source: str = ""


def _phrase(raw: str) -> str | None:
    """`UNITED_NATIONS_` -> `UNITED NATIONS`; None for macros, patterns and oddities."""
    raw = raw.strip()
    if not raw or _BAD_CHARS_RE.search(raw):
        return None
    raw = re.sub(r"\([^)]*\)", " ", raw)  # "(AAIA)" abbreviations in brackets
    words = [w for w in raw.replace("_", " ").split() if w]
    if len(words) > 1 and words[0].upper() == "THE":
        words = words[1:]  # "the" is the text's, not the name's
    if not words or not any(ch.isalpha() for ch in "".join(words)):
        return None
    return " ".join(words)


def parse_tabari(lines: Iterable[str], source: str = "") -> Iterator[Entry]:
    """Entries of a TABARI actor dictionary: name lines (and `+synonym` lines) up to their
    codes, which stand on the same line or on indented lines after the names."""
    entry: Entry | None = None
    for line in lines:
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        codes = _CODE_RE.findall(text)
        head = _CODE_RE.sub(" ", text)
        if text[0] in " \t":
            if entry is not None:
                entry.codes.extend(codes)
            continue
        is_synonym = text.startswith("+")
        name = _phrase(head[1:] if is_synonym else head)
        if entry is None or (not is_synonym and entry.codes):
            if entry is not None and entry.names:
                yield entry
            entry = Entry(source=source)
        if name:
            entry.names.append(name)
        entry.codes.extend(codes)
    if entry is not None and entry.names:
        yield entry


def title_case(phrase: str) -> str:
    """`UNITED NATIONS OF THE WORLD` -> `United Nations of the World`; hyphens too."""

    def word(w: str, first: bool) -> str:
        lower = w.lower()
        if not first and lower in _SMALL_WORDS:
            return lower
        return "-".join(
            "'".join(part[:1].upper() + part[1:] for part in piece.split("'"))
            for piece in lower.split("-")
        )

    return " ".join(word(w, i == 0) for i, w in enumerate(phrase.split()))


def _is_country(entry: Entry) -> bool:
    return any(_COUNTRY_RE.match(code.strip()) for code in entry.codes)


def _is_person(entry: Entry) -> bool:
    """Dated roles or an elite code, and a main name of two to four plain words."""
    dated = any(_DATED_RE.search(c) or "ELI" in c for c in entry.codes)
    return dated and _plain_name(entry.names[0]) and len(entry.names[0].split()) >= 2


def _plain_name(name: str) -> bool:
    """A personal name as text gives it: 1-4 words, no title, role or organisation word."""
    words = name.split()
    return (
        1 <= len(words) <= 4
        and "," not in name
        and not any(ch.isdigit() for ch in name)
        and not any(w.upper() in _ORG_WORDS or w.lower().strip(".") in _TITLES for w in words)
    )


_PEOPLE_WORDS = frozenset({"INHABITANTS", "PEOPLE", "CITIZENS", "NATIONALS"})
_PEOPLE_SUFFIXES = ("WOMAN", "WOMEN", "MAN", "MEN")


def _names_people(name: str, names: Sequence[str]) -> bool:
    """Whether a country's synonym names its people: a last word such as "inhabitants", or
    another of the country's names with -man/-men/-woman/-women ("Dutch" -> "Dutchman")."""
    words = name.split()
    if len(words) > 1:
        return words[-1] in _PEOPLE_WORDS
    for suffix in _PEOPLE_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in names:
            return True
    return False


def _country_names(
    entry: Entry, common: frozenset[str], kinds: Mapping[str, str]
) -> Iterator[tuple[str, str]]:
    """A country's name (GPE) and its synonyms: demonyms, places (GPE/LOC)."""
    yield entry.names[0], "GPE"
    for name in entry.names[1:]:
        if _names_people(name, entry.names):
            continue  # "Dutchman", "Guernseymen", "Dutch inhabitants": people, not the place
        if name.endswith(_DEMONYM_ENDINGS):
            # a demonym or a name? the model says, in "the X government"
            kind = kinds.get(name)
            if kind in ("NORP", "GPE"):
                yield name, kind
            continue
        if " " not in name and name.lower() in common:
            continue
        place = next((_PLACE_WORDS[w] for w in name.split() if w in _PLACE_WORDS), "GPE")
        yield name, place


def _labelled(
    entry: Entry, common: frozenset[str], kinds: Mapping[str, str]
) -> Iterator[tuple[str, str]]:
    if _is_country(entry) and entry.source == "actors_countries.txt":
        yield from _country_names(entry, common, kinds)
        return
    person = _is_person(entry)
    for name in entry.names:
        if " " not in name and (name.lower() in common or len(name) < 3):
            continue
        if any(ch.isdigit() for ch in name):
            continue  # "17 November", "21 June": names that read as dates
        if person:
            if _plain_name(name):
                yield name, "PERSON"
            continue
        yield name, "ORG"


def _entries(lexicon_dir: str | Path) -> list[Entry]:
    entries: list[Entry] = []
    for filename in FILES:
        path = Path(lexicon_dir) / filename
        if path.exists():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            entries.extend(parse_tabari(lines, filename))
    return entries


def build_patterns(
    lexicon_dir: str | Path,
    common_words: Iterable[str] = (),
    demonym_kind: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> list[dict[str, str]]:
    """EntityRuler patterns (label, pattern) from the dictionaries in `lexicon_dir`.

    `demonym_kind` labels one-word country synonyms that end like demonyms ("NORP", "GPE" or
    anything else to drop them); without it they are dropped.
    """
    common = frozenset(w.lower() for w in common_words)
    entries = _entries(lexicon_dir)
    candidates = sorted(
        {
            name
            for e in entries
            if _is_country(e) and e.source == "actors_countries.txt"
            for name in e.names[1:]
            if name.endswith(_DEMONYM_ENDINGS)
        }
    )
    kinds = demonym_kind(candidates) if demonym_kind is not None else {}
    labels: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name, label in _labelled(entry, common, kinds):
            labels[name].add(label)
    patterns: list[dict[str, str]] = []
    for name in sorted(labels):
        if len(labels[name]) != 1:
            continue  # the dictionaries disagree: leave it to the model
        label = next(iter(labels[name]))
        acronym = len(name) <= 5 and " " not in name and label == "ORG"
        patterns.append({"label": label, "pattern": name if acronym else title_case(name)})
    return patterns


def _model() -> Language:
    import spacy

    from tasks.settings import load_settings

    return spacy.load(load_settings().nlp.model)


def _common_words(nlp: Language) -> set[str]:
    """Everyday English words: the model's lemmatizer index (WordNet's nouns, verbs, adjectives)."""
    try:
        lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
        index = lookups.get_table("lemma_index")
    except Exception as exc:  # noqa: BLE001 - build without the filter, but say so
        print(f"warning: no common-word filter ({exc})", file=sys.stderr)
        return set()
    words: set[str] = set()
    for values in index.values():
        words.update(v for v in values if v.isalpha())
    return words


def model_demonym_kind(nlp: Language) -> Callable[[list[str]], dict[str, str]]:
    """NORP when the model tags the name's last word an adjective in "The X government said
    ...", GPE when it calls the name a GPE in "She moved to X last year.", else nothing."""

    def kind(words: list[str]) -> dict[str, str]:
        names = [title_case(w) for w in words]
        out: dict[str, str] = {}
        adjective_docs = nlp.pipe(f"The {n} government said on Monday it would act." for n in names)
        place_docs = nlp.pipe(f"She moved to {n} last year." for n in names)
        for word, adj_doc, place_doc in zip(words, adjective_docs, place_docs):
            government = next((t.i for t in adj_doc if t.text == "government"), 0)
            adjective = government > 1 and adj_doc[government - 1].pos_ == "ADJ"
            place = any(e.label_ == "GPE" and e.start == 3 for e in place_doc.ents)
            out[word] = "NORP" if adjective else "GPE" if place else ""
        return out

    return kind


def write_patterns(
    patterns: list[dict[str, str]], out: Path, tokenize: Callable[[str], list[str]]
) -> None:
    """`LABEL<TAB>name` lines of a pretokenized file (see `tasks.nlp.ruler`): a third column
    with spaCy's tokens of the name where they are not its words, a fourth with those of the
    UPPER CASE name where they are not the tokens in capitals; the ruler needs no tokenizer."""
    with out.open("w", encoding="utf-8") as lines:
        lines.write(
            "# Entity ruler patterns: LABEL<TAB>name, one a line. Built by\n"
            "# `python -m tasks.nlp.build_entity_patterns LEXICON_DIR` from the PETRARCH2 actor\n"
            "# dictionaries (MIT); do not edit by hand. The ruler adds each name's UPPER CASE form.\n"
            "# Where spaCy splits a name other than at its spaces, a third column has its tokens\n"
            "# and a fourth those of the UPPER CASE name (when not the third in capitals).\n"
            f"# merged with the NER by the ruler's rules {MERGE_RULES}\n"
            f"{PRETOKENIZED}\n"
        )
        for pattern in patterns:
            name = pattern["pattern"]
            words = tokenize(name)
            caps = tokenize(name.upper())
            extra = [
                " ".join(words) if words != name.split() else "",
                " ".join(caps) if caps != [w.upper() for w in words] else "",
            ]
            while extra and not extra[-1]:
                extra.pop()
            lines.write("\t".join([pattern["label"], name, *extra]) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lexicon_dir", help="folder with the PETRARCH2 actor dictionaries")
    parser.add_argument("out", type=Path, help="file to write (config/entity_patterns.tsv)")
    args = parser.parse_args(argv)
    if not all((Path(args.lexicon_dir) / f).exists() for f in FILES):
        print(f"error: {args.lexicon_dir} lacks one of {', '.join(FILES)}", file=sys.stderr)
        return 2
    nlp = _model()
    patterns = build_patterns(args.lexicon_dir, _common_words(nlp), model_demonym_kind(nlp))
    write_patterns(patterns, args.out, lambda text: [t.text for t in nlp.tokenizer(text)])
    counts: dict[str, int] = defaultdict(int)
    for pattern in patterns:
        counts[pattern["label"]] += 1
    print(f"{len(patterns)} patterns: {dict(sorted(counts.items()))} -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
