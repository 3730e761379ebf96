"""The event coding rules at run time: word lists, weights and recodings from a TOML file.

`config/event_rules.toml` (beside the trigger lexicon) is read once per process into a typed,
frozen `EventRules`, which the coder passes as an argument to every function that applies a
rule. Unknown sections or keys, and missing ones, are errors: a typo must not silently switch a
rule off. The version that goes into provenance is the file's `meta.version` plus a digest of
its content.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


class RulesError(ValueError):
    """The rules file is not what the coder expects; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Recode:
    """A category recoding: the PLOVER category and CAMEO code an event becomes."""

    category: str
    cameo: str


@dataclass(frozen=True, slots=True)
class Categories:
    cooperative: frozenset[str]
    force: frozenset[str]
    material_conflict: frozenset[str]
    material_cooperation: frozenset[str]
    coercive: frozenset[str]
    patient_possessor: frozenset[str]
    needs_patient: frozenset[str]


@dataclass(frozen=True, slots=True)
class Recodings:
    reported_demand: Recode
    intent_to_cooperate: Recode
    intent_to_force: Recode
    preparing_force: Recode
    vowing_force: Recode
    act_to_demand: Recode
    stated_refusal: Recode
    destroy_property: Recode
    coercive_order: Recode
    judicial_ruling: Recode
    refused_request: Recode
    accede_to_demand: Recode
    withdraw_mission: Recode
    aid_goods: Recode


@dataclass(frozen=True, slots=True)
class Words:
    light_verbs: frozenset[str]
    in_light_verbs: frozenset[str]
    gather_verbs: frozenset[str]
    demand_verbs: frozenset[str]
    demand_nouns: frozenset[str]
    control_verbs: frozenset[str]
    control_nouns: frozenset[str]
    reaction_verbs: frozenset[str]
    intent_adjectives: frozenset[str]
    prepare_verbs: frozenset[str]
    intent_verbs: frozenset[str]
    declare_verbs: frozenset[str]
    destroy_verbs: frozenset[str]
    order_verbs: frozenset[str]
    restrict_verbs: frozenset[str]
    military_actor_words: frozenset[str]
    irregular_actor_words: frozenset[str]
    generic_force_words: frozenset[str]
    human_nouns: frozenset[str]
    force_target_nouns: frozenset[str]
    quantity_words: frozenset[str]
    quote_cue_verbs: frozenset[str]
    specific_force_codes: frozenset[str]
    specific_force_prefixes: tuple[str, ...]
    signify_verbs: frozenset[str]
    meeting_verbs: frozenset[str]
    ruling_verbs: frozenset[str]
    discussion_verbs: frozenset[str]
    request_nouns: frozenset[str]
    topic_preps: frozenset[str]
    medium_nouns: frozenset[str]
    medium_preps: frozenset[str]
    mission_nouns: frozenset[str]
    transfer_verbs: frozenset[str]
    aid_goods: frozenset[str]
    try_verbs: frozenset[str]
    instrument_preps: frozenset[str]


@dataclass(frozen=True, slots=True)
class RoleRules:
    target_preps: tuple[str, ...]
    noun_target_preps: tuple[str, ...]
    nested_preps: frozenset[str]
    extra_locative_preps: frozenset[str]
    kind_named: float
    kind_human: float
    kind_place: float
    kind_other: float
    kind_accepted: float
    rank_clause_down: int


@dataclass(frozen=True, slots=True)
class ModeRules:
    order: tuple[str, ...]
    conditional: frozenset[str]
    coded: frozenset[str]


@dataclass(frozen=True, slots=True)
class SalienceRules:
    step: float
    reported: float
    background_clause: float
    background_prep: float
    subordinate: float
    noun: float
    carried_noun: float
    subordinate_marks: frozenset[str]
    background_preps: frozenset[str]


@dataclass(frozen=True, slots=True)
class ConfidenceRules:
    pattern: float
    phrase: float
    verb: float
    light: float
    noun: float
    named_actor: float
    other_actor: float
    target: float
    depth: float
    irrealis: float
    min: float
    max: float

    def base(self, source: str) -> float:
        """Base confidence of a trigger matched as `source` (pattern, phrase, verb, ...)."""
        return float(getattr(self, source))


@dataclass(frozen=True, slots=True)
class ActorRules:
    dominant_share: float
    dominant_min: int
    two_party: frozenset[str]
    state_acts: frozenset[str]


@dataclass(frozen=True, slots=True)
class DomainRules:
    article: float
    sentence: float
    score: float
    political_actor: float
    country_actor: float
    political_sectors: frozenset[str]
    political_words: frozenset[str]
    sport: frozenset[str]
    entertainment: frozenset[str]
    business: frozenset[str]
    tech: frozenset[str]
    tally_words: frozenset[str]


@dataclass(frozen=True, slots=True)
class Limits:
    pattern_reach: int
    claim_reach: int


@dataclass(frozen=True, slots=True)
class EventRules:
    """Every rule the coder applies beyond the trigger lexicon (see config/event_rules.toml)."""

    categories: Categories
    recode: Recodings
    words: Words
    roles: RoleRules
    mode: ModeRules
    salience: SalienceRules
    confidence: ConfidenceRules
    actors: ActorRules
    domain: DomainRules
    limits: Limits
    version: str = "rules/0"


def _convert(value: Any, kind: Any, where: str) -> Any:
    """`value` from TOML as the annotated `kind` (frozenset, tuple, float, int, str, Recode)."""
    origin = typing.get_origin(kind)
    if origin in (frozenset, tuple):
        if not isinstance(value, list):
            raise RulesError(f"{where}: expected a list, got {value!r}")
        items = [str(v) for v in value]
        return frozenset(items) if origin is frozenset else tuple(items)
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str) and isinstance(value, kind) and not isinstance(value, bool):
        return value
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and isinstance(value, dict):
        return _section(kind, value, where)
    raise RulesError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")


def _section(cls: type, data: dict[str, Any], where: str) -> Any:
    """A dataclass from a TOML table, every field required and no unknown key allowed."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "version"]
    unknown = sorted(set(data) - set(names))
    missing = [n for n in names if n not in data]
    if unknown or missing:
        raise RulesError(
            f"[{where}]: unknown keys {unknown}, missing keys {missing}; "
            "see config/event_rules.toml for the expected ones"
        )
    return cls(**{n: _convert(data[n], hints[n], f"{where}.{n}") for n in names})


def rules_from_dict(data: dict[str, Any]) -> EventRules:
    """Turn the TOML structure into `EventRules` (strict: unknown or missing keys are errors)."""
    body = {k: v for k, v in data.items() if k != "meta"}
    rules = _section(EventRules, body, "rules")
    return dataclasses.replace(rules, version=str(data.get("meta", {}).get("version", "rules/0")))


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> EventRules:
    """The rules at `path` (`mtime` is part of the cache key: an edited file is read again)."""
    del mtime
    raw = Path(path).read_bytes()
    try:
        rules = rules_from_dict(tomllib.loads(raw.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"event rules {path} are not valid TOML: {exc}") from exc
    except RulesError as exc:
        raise RulesError(f"event rules {path}: {exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()[:8]
    return dataclasses.replace(rules, version=f"{rules.version}:{digest}")


def load_rules(path: str | Path) -> EventRules:
    """Load (and cache) the event rules TOML at `path`."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(
            f"event rules {p} not found; it ships beside the event lexicon as event_rules.toml"
        )
    return _load_cached(str(p.resolve()), p.stat().st_mtime)
