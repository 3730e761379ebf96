"""Places named in an article, resolved to the gazetteer with the article's own context.

Each GPE or LOC entity (by its canonical name) and each event location looks up its candidates
(`tasks.nlp.gazetteer`). A name with candidates in one country only (Brussels, Germany) is
settled at once and is context for that country: a city or region name counts 1, a country
name or a nationality word (NORP mentions: "Russian", "French") counts 0.5, since nearly every
article names the US somewhere. A name with candidates in several countries ("Paris",
"Georgia", "Los Angeles") takes the candidate with the best context + 0.5 * log10(population):
one city named alongside outweighs a 100-fold population, a stray "US" or "Spanish" does not
(Paris stays in France, Los Angeles in California). A national capital gets a bonus of 1 over
other places of the same name (Washington is the capital, not the state). Ties go to the more
general kind. Nothing is
looked up at run time: the gazetteer ships in packages.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from tasks.nlp.gazetteer import GAZETTEER_VERSION, Gazetteer
from tasks.records import Mention, Place

RULES_VERSION = f"places/1+{GAZETTEER_VERSION}"
PLACE_LABELS = frozenset({"GPE", "LOC"})
_KIND_RANK = {"country": 2, "city": 1, "region": 0}
SUBCOUNTRY_WEIGHT = 1.0
COUNTRY_WEIGHT = 0.5
POPULATION_WEIGHT = 0.5
CAPITAL_BONUS = 1.0


@dataclass(frozen=True, slots=True)
class Resolution:
    """A name resolved to a place, and why."""

    name: str
    place: Place
    reason: str  # only (one candidate or one country), context, population


def _countries(candidates: Sequence[Place]) -> set[str | None]:
    return {p.country_code for p in candidates}


def _context(place: Place, context: Mapping[str, float]) -> float:
    return context.get(place.country_code, 0.0) if place.country_code else 0.0


def _best(
    candidates: Sequence[Place], context: Mapping[str, float], capitals: Set[str] = frozenset()
) -> Place:
    return max(
        candidates,
        key=lambda p: (
            _context(p, context)
            + POPULATION_WEIGHT * math.log10(max(p.population or 1, 1))
            + (CAPITAL_BONUS if p.place_id in capitals else 0.0),
            3 if p.country_code is None else _KIND_RANK.get(p.kind, 0),  # continents first
            p.place_id,
        ),
    )


def resolve_names(
    names: Mapping[str, int], demonyms: Iterable[str], gazetteer: Gazetteer
) -> dict[str, Resolution]:
    """Resolve place names (name -> mention count) with each other and demonyms as context;
    each distinct name counts once."""
    candidates = {n: gazetteer.lookup(n) for n in names}
    context: defaultdict[str, float] = defaultdict(float)
    out: dict[str, Resolution] = {}
    for name, found in candidates.items():
        if found and len(_countries(found)) == 1:
            place = _best(found, {}, gazetteer.capitals)
            out[name] = Resolution(name, place, "only")
            if place.country_code:
                weight = COUNTRY_WEIGHT if place.kind == "country" else SUBCOUNTRY_WEIGHT
                context[place.country_code] += weight
    for word in set(demonyms):
        code = gazetteer.demonym_country(word)
        if code:
            context[code] += COUNTRY_WEIGHT
    for name, found in candidates.items():
        if name in out or not found:
            continue
        place = _best(found, context, gazetteer.capitals)
        reason = "context" if _context(place, context) > 0 else "population"
        out[name] = Resolution(name, place, reason)
    return out


def resolve_article_places(
    mentions: Sequence[Mention], gazetteer: Gazetteer, extra_names: Iterable[str] = ()
) -> dict[str, Resolution]:
    """Places of one article: its GPE/LOC canonical names and any extra names (event locations),
    keyed by name; NORP mentions are context only."""
    names: Counter[str] = Counter(m.canonical for m in mentions if m.label in PLACE_LABELS)
    for extra in extra_names:
        if extra and extra not in names:
            names[extra] = 1
    demonyms = [m.canonical for m in mentions if m.label == "NORP"]
    return resolve_names(names, demonyms, gazetteer)
