"""The event trigger lexicon at run time: PLOVER categories for verbs, phrases, patterns, nouns.

`config/event_lexicon.toml` is generated once from the PETRARCH2 CAMEO verb dictionary and the
CAMEO-to-PLOVER table by `tasks.nlp.events.build_lexicon`, then committed; at run time only
`load_lexicon` is used and nothing outside the project is read.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from tasks.nlp.events.actors import ACTORS_NAME, ActorDictionary, load_actors
from tasks.nlp.events.rules import EventRules, Recode, load_rules
from tasks.settings import SHIPPED_CONFIG_DIR

QUAD_CLASSES: dict[str, str] = {
    "AGREE": "verbal cooperation",
    "CONSULT": "verbal cooperation",
    "SUPPORT": "verbal cooperation",
    "CONCEDE": "verbal cooperation",
    "COOPERATE": "material cooperation",
    "AID": "material cooperation",
    "RETREAT": "material cooperation",
    "INVESTIGATE": "material cooperation",
    "DEMAND": "verbal conflict",
    "DISAPPROVE": "verbal conflict",
    "REJECT": "verbal conflict",
    "THREATEN": "verbal conflict",
    "SANCTION": "verbal conflict",
    "PROTEST": "material conflict",
    "CRIME": "material conflict",
    "MOBILIZE": "material conflict",
    "COERCE": "material conflict",
    "ASSAULT": "material conflict",
    "FIGHT": "material conflict",
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """What a lexicon entry codes: a PLOVER category (empty = not an event) and CAMEO code."""

    category: str
    quad_class: str
    cameo: str
    passive: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    """A verb pattern: words (alternatives per slot) that must follow the verb in its phrase."""

    words: tuple[tuple[str, ...], ...]
    trigger: Trigger


@dataclass(frozen=True, slots=True)
class EventLexicon:
    """The loaded trigger lexicon."""

    verbs: dict[str, Trigger]
    phrases: dict[tuple[str, ...], Trigger]
    nouns: dict[str, Trigger]
    patterns: dict[str, tuple[Pattern, ...]]
    quad_classes: dict[str, str]
    planning: frozenset[str] = field(default_factory=frozenset)
    hypothetical: frozenset[str] = field(default_factory=frozenset)
    negation: frozenset[str] = field(default_factory=frozenset)
    reporting: frozenset[str] = field(default_factory=frozenset)
    version: str = "1"
    rules: EventRules | None = None
    actors: ActorDictionary | None = None

    def trigger(self, category: str, cameo: str = "") -> Trigger:
        """A Trigger for a category by name."""
        return Trigger(category, self.quad_classes.get(category, ""), cameo)

    def recoded(self, recode: Recode) -> Trigger:
        """The Trigger a category recoding of the rules gives."""
        return self.trigger(recode.category, recode.cameo)

    @property
    def actor_dictionary(self) -> ActorDictionary:
        """The actor dictionary loaded with this lexicon (`actors.json.gz` beside it)."""
        if self.actors is None:
            raise RuntimeError("this lexicon was built without actors; load it with load_lexicon")
        return self.actors

    @property
    def coding(self) -> EventRules:
        """The coding rules loaded with this lexicon (`config/event_rules.toml` beside it)."""
        if self.rules is None:
            raise RuntimeError("this lexicon was built without rules; load it with load_lexicon")
        return self.rules


def _trigger(entry: dict[str, Any], quads: dict[str, str]) -> Trigger:
    cat = str(entry.get("category", ""))
    return Trigger(cat, quads.get(cat, ""), str(entry.get("cameo", "")), bool(entry.get("passive")))


def lexicon_from_dict(data: dict[str, Any]) -> EventLexicon:
    """Turn the TOML structure into an `EventLexicon`."""
    quads = dict(data.get("quad_classes", QUAD_CLASSES))
    synsets = {k: tuple(v) for k, v in data.get("synsets", {}).items()}
    patterns: dict[str, tuple[Pattern, ...]] = {}
    for verb, items in data.get("patterns", {}).items():
        built = []
        for item in items:
            slots = tuple(
                synsets.get(w[1:], ()) if w.startswith("&") else (w,) for w in item["words"]
            )
            if all(slots):
                built.append(Pattern(slots, _trigger(item, quads)))
        # longer (more specific) patterns first
        patterns[verb] = tuple(sorted(built, key=lambda p: -len(p.words)))
    modes = data.get("modes", {})
    return EventLexicon(
        verbs={k: _trigger(v, quads) for k, v in data.get("verbs", {}).items()},
        phrases={tuple(k.split()): _trigger(v, quads) for k, v in data.get("phrases", {}).items()},
        nouns={k: _trigger(v, quads) for k, v in data.get("nouns", {}).items()},
        patterns=patterns,
        quad_classes=quads,
        planning=frozenset(modes.get("planning", ())),
        hypothetical=frozenset(modes.get("hypothetical", ())),
        negation=frozenset(modes.get("negation", ())),
        reporting=frozenset(modes.get("reporting", ())),
        version=str(data.get("meta", {}).get("version", "1")),
    )


DEFAULT_LEXICON_PATH = SHIPPED_CONFIG_DIR / "event_lexicon.toml"
RULES_NAME = "event_rules.toml"


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> EventLexicon:
    """The lexicon at `path` (`mtime` is part of the cache key: an edited file is read again)."""
    del mtime
    with open(path, "rb") as fh:
        raw = fh.read()
    lexicon = lexicon_from_dict(tomllib.loads(raw.decode("utf-8")))
    # the declared release and a digest of the content: any edit changes the provenance
    digest = hashlib.sha256(raw).hexdigest()[:8]
    return replace(lexicon, version=f"{lexicon.version}:{digest}")


_Parts = tuple[EventLexicon, EventRules, ActorDictionary]
_BUNDLES: dict[tuple[int, int, int], tuple[_Parts, EventLexicon]] = {}


def _bundle(lexicon: EventLexicon, rules: EventRules, actors: ActorDictionary) -> EventLexicon:
    """One object per (lexicon, rules, actors), so per-lexicon indexes are built once."""
    key = (id(lexicon), id(rules), id(actors))
    hit = _BUNDLES.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], (lexicon, rules, actors))):
        version = f"{lexicon.version}+{rules.version}+{actors.version}"
        bundle = replace(lexicon, rules=rules, actors=actors, version=version)
        hit = _BUNDLES[key] = ((lexicon, rules, actors), bundle)
    return hit[1]


def beside(lexicon_path: Path, name: str) -> Path:
    """A file that goes with a lexicon (rules, actors): beside it, else the shipped one."""
    own = lexicon_path.parent / name
    return own if own.exists() else DEFAULT_LEXICON_PATH.parent / name


def load_lexicon(path: str | Path | None = None) -> EventLexicon:
    """Load (and cache) the event lexicon TOML (default `config/event_lexicon.toml`) with the
    coding rules (`event_rules.toml`) and the actor dictionary (`actors.json.gz`) beside it; its
    version names all three, with content digests."""
    p = Path(path) if path is not None else DEFAULT_LEXICON_PATH
    if not p.exists():
        raise FileNotFoundError(
            f"event lexicon {p} not found; set enrich.lexicon in config/newsflow.toml or "
            "regenerate it with `python -m tasks.nlp.events.build_lexicon LEXICON_DIR "
            "config/event_lexicon.toml`"
        )
    lexicon = _load_cached(str(p.resolve()), p.stat().st_mtime)
    rules = load_rules(beside(p, RULES_NAME))
    return _bundle(lexicon, rules, load_actors(beside(p, ACTORS_NAME)))
