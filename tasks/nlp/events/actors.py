"""Actor coding: CAMEO-style codes for an event's actor and target, as PETRARCH and GDELT do.

The dictionary (`config/actors.json.gz`, built by `tasks.nlp.events.build_actors` from the
PETRARCH2 actor and agent dictionaries) maps names to country, IGO or group codes with date
ranges ("kremlin" -> RUSGOV, "eu" -> IGOEUREEC, "vladimir putin" -> RUSGOV after 2008-05-08) and
role words to agent codes ("police" -> ~COP, "foreign minister" -> ~GOV).

A phrase (the actor's or target's noun phrase in the parse) is coded, per article
(`ArticleActors`), in this order:
1. a name covering the phrase's head ("the Kremlin" -> RUSGOV), with a role word outside it
   appended to its country or IGO ("EU foreign minister" -> IGOEUREECGOV);
2. the code the article gives the head's entity: a person is coded by the role phrase the article
   uses for them anywhere ("EU foreign policy chief Josep Borrell", then "Borrell" -> IGOEUREEC;
   "Kremlin critic Alexei Navalny" -> RUSOPP), and a pronoun by the entity it stands for;
3. a name among the modifiers gives the country, a role word the agent ("Russian police" ->
   RUSCOP, "Israeli troops" -> ISRMIL, "Chinese companies" -> CHNBUS);
4. a role word alone takes the article's dominant country when it is clear ("police" in an
   article about Moscow -> RUSCOP), else stays an agent-only code ("COP").
The dominant country is clear when one country accounts for at least `dominant_share` of the
article's country-coded mentions (places, nationalities, institutions; IGOs do not count) and
for at least `dominant_min` of them. The country of a code (`actor_country`) is its leading
CAMEO country code (RUSCOP -> RUS); IGO and transnational codes have none.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.nlp.syntax import Mentions, Phrase, phrase_span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

ACTORS_NAME = "actors.json.gz"
# Prepositions whose object places a role phrase in a country ("police in Guinea").
COUNTRY_PREPS = frozenset({"in", "of", "from"})
# Entity labels whose mentions `ArticleActors._learn` codes: places, nationalities and
# organisations count towards the dominant country; people, organisations, nationalities and
# countries keep their code for later mentions.
_COUNTRY_LABELS = frozenset({"GPE", "NORP", "LOC", "FAC", "ORG"})
_ENTITY_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
_LEARNED_LABELS = _COUNTRY_LABELS | _ENTITY_LABELS


@dataclass(frozen=True, slots=True)
class ActorCode:
    """A CAMEO actor code and its country (None for IGOs, agents alone, transnational groups)."""

    code: str
    country: str | None


@dataclass(frozen=True)
class ActorDictionary:
    """Names and role words with their codes (see `tasks.nlp.events.build_actors`)."""

    names: dict[str, tuple[tuple[str, int, int], ...]]
    agents: dict[str, str]
    countries: frozenset[str]
    version: str
    longest_name: int
    longest_agent: int

    def name_code(self, key: str, day: int) -> str | None:
        """The code of a name on a day (YYYYMMDD; 0 = unknown: the latest open code)."""
        codes = self.names.get(key)
        if not codes:
            return None
        if day == 0:
            current = [c for c in codes if c[2] == 0]
            return max(current or codes, key=lambda c: c[1])[0]
        for code, start, end in codes:
            if (start == 0 or day >= start) and (end == 0 or day < end):
                return code
        return None

    @cached_property
    def name_starts(self) -> frozenset[str]:
        """Every word a name key can start with (`_starts`), and each one-word key plus "s"
        (`ArticleActors._name` reads "Russians" as "Russian")."""
        return _starts(self.names) | {k + "s" for k in self.names if " " not in k}

    @cached_property
    def agent_starts(self) -> frozenset[str]:
        """Every word a role-word key can start with (`_starts`)."""
        return _starts(self.agents)

    def country_of(self, code: str) -> str | None:
        """The leading country code of an actor code (RUSCOP -> RUS; IGOs have none)."""
        head = code[:3]
        return head if head in self.countries else None


def _starts(keys: Iterable[str]) -> frozenset[str]:
    """Every first word an n-gram of `_matches` equal to one of `keys` can have: each key up to
    any space or hyphen in it (`_matches` joins "al - qaeda" into "al-qaeda"), and the whole key."""
    out = set()
    for key in keys:
        out.add(key)
        out.update(key[:i] for i, ch in enumerate(key) if ch in " -")
    return frozenset(out)


def _dictionary(data: dict[str, Any], version: str) -> ActorDictionary:
    names = {k: tuple((c[0], int(c[1]), int(c[2])) for c in v) for k, v in data["actors"].items()}
    agents = {k: str(v) for k, v in data["agents"].items()}
    return ActorDictionary(
        names=names,
        agents=agents,
        countries=frozenset(data["countries"]),
        version=version,
        longest_name=max((k.count(" ") + 1 for k in names), default=1),
        longest_agent=max((k.count(" ") + 1 for k in agents), default=1),
    )


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> ActorDictionary:
    """The dictionary at `path` (`mtime` is part of the cache key)."""
    del mtime
    raw = Path(path).read_bytes()
    data = json.loads(gzip.decompress(raw))
    digest = hashlib.sha256(raw).hexdigest()[:8]
    return _dictionary(data, f"{data['meta']['version']}:{digest}")


def load_actors(path: str | Path) -> ActorDictionary:
    """Load (and cache) the actor dictionary at `path`."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(
            f"actor dictionary {p} not found; it ships beside the event lexicon as {ACTORS_NAME} "
            "(regenerate with `python -m tasks.nlp.events.build_actors LEXICON_DIR OUT`)"
        )
    return _load_cached(str(p.resolve()), p.stat().st_mtime)


def _word(tok: Token) -> str:
    return tok.lower_


def _hyphen_modifiers(toks: Sequence[Token], head: Token) -> list[int]:
    """Positions of the words of hyphenated compounds that modify the head ("anti-government",
    "Kremlin-backed", "US-led"): they say what the actor is against, backed or led by, not who
    it is. A compound that holds the head ("al-Qaeda") is the name itself."""
    out: list[int] = []
    i = 0
    while i < len(toks):
        j = i
        while (
            j + 2 < len(toks)
            and toks[j + 1].text == "-"
            and not toks[j].whitespace_
            and not toks[j + 1].whitespace_
        ):
            j += 2
        if j > i and not any(t.i == head.i for t in toks[i : j + 1]):
            out.extend(range(i, j + 1))
        i = j + 1
    return out


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    code: str


def _matches(
    words: Sequence[str],
    longest: int,
    lookup: Callable[[str], str | None],
    starts: frozenset[str] | None = None,
) -> list[_Match]:
    """Non-overlapping longest matches of dictionary keys in `words`: every n-gram, longest first
    and left to right, joined by spaces with hyphens joining their neighbours. With `starts` (the
    dictionary's `_starts`), an n-gram whose first word is not among them is not looked up: it
    can't be a key."""
    taken = [False] * len(words)
    found = []
    n = len(words)
    for size in range(min(longest, n), 0, -1):
        for i in range(n - size + 1):
            if starts is not None and words[i] not in starts:
                continue
            j = i + size
            if any(taken[i:j]):
                continue
            code = lookup(" ".join(words[i:j]).replace(" - ", "-"))
            if code:
                found.append(_Match(i, j, code))
                for k in range(i, j):
                    taken[k] = True
    return found


def _combine(actor: str, agent: str) -> str:
    """Actor code plus an agent code: "~COP" appends, "NGO~" prepends."""
    if agent.endswith("~"):
        return agent[:-1] + actor
    return actor + agent.lstrip("~")


class ArticleActors:
    """Codes actor and target phrases within one article (dictionary, entities, context)."""

    def __init__(
        self,
        doc: Doc,
        index: Mentions,
        actors: ActorDictionary,
        published: date | None,
        dominant_share: float,
        dominant_min: int,
    ) -> None:
        self.doc = doc
        self.index = index
        self.dict = actors
        self.day = (
            published.year * 10000 + published.month * 100 + published.day if published else 0
        )
        self.entity_codes: dict[str, str] = {}
        self.context: str | None = None
        self._learn(dominant_share, dominant_min)

    # ---- dictionary lookups -----------------------------------------------------------------

    def _name(self, key: str) -> str | None:
        code = self.dict.name_code(key, self.day)
        if code is None and key.endswith("s") and " " not in key:
            code = self.dict.name_code(key[:-1], self.day)  # "Russians", "Israelis"
        return code

    def _agent(self, key: str) -> str | None:
        return self.dict.agents.get(key)

    def _parts(self, toks: Sequence[Token], head: Token) -> tuple[list[_Match], list[_Match]]:
        words = [_word(t) for t in toks]
        if words and words[0] == "the":
            words[0] = ""  # "the Kremlin": the dictionary keys have no article
        for i in _hyphen_modifiers(toks, head):
            words[i] = ""  # "anti-government protesters" are no government
        names = _matches(words, self.dict.longest_name, self._name, self.dict.name_starts)
        names += self._entity_matches(toks, names, head)
        # a person's name is no role word ("Mr Cable", "Gordon Brown")
        roles = ["" if t.ent_type_ == "PERSON" else w for t, w in zip(toks, words)]
        agents = _matches(roles, self.dict.longest_agent, self._agent, self.dict.agent_starts)
        agents = [a for a in agents if not any(n.start <= a.start < n.end for n in names)]
        return names, agents

    def _entity_matches(
        self, toks: Sequence[Token], names: Sequence[_Match], head: Token
    ) -> list[_Match]:
        """Tokens of other entities the article has coded, outside the dictionary's matches:
        "senior aide to Navalny" takes Navalny's code (the head's own entity is step 2's)."""
        out: list[_Match] = []
        if not self.entity_codes:
            return out
        own, _ = self.index.best(head.idx, head.idx + len(head.text))
        for i, t in enumerate(toks):
            if any(n.start <= i < n.end for n in names) or not t.ent_type_:
                continue
            entity_id, _ = self.index.best(t.idx, t.idx + len(t.text))
            if entity_id is not None and entity_id == own:
                continue
            code = self.entity_codes.get(entity_id or "")
            if code and not (out and out[-1].code == code and out[-1].end == i):
                out.append(_Match(i, i + 1, code))
            elif code:
                out[-1] = _Match(out[-1].start, i + 1, code)
        return out

    # ---- the article's own knowledge --------------------------------------------------------

    def _learn(self, share: float, minimum: int) -> None:
        """Entity codes from each mention's phrase, and the article's dominant country."""
        countries: Counter[str] = Counter()  # IGOs count in the total, not as candidates
        for m in self.index.items:
            if m.label not in _LEARNED_LABELS:
                continue  # a date, number or title is coded for nothing below
            span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            code = self._code_tokens(list(phrase_span(span.root, False)), span.root, None)
            if code is None:
                continue
            if m.label in _COUNTRY_LABELS:
                country = self.dict.country_of(code)
                if country or code.startswith("IGO"):
                    countries[country or "IGO"] += 1
            if m.entity_id and m.label in _ENTITY_LABELS:
                known = self.entity_codes.get(m.entity_id)
                if known is None or len(code) > len(known):  # the more specific code wins
                    self.entity_codes[m.entity_id] = code
        total = sum(countries.values())
        ranked = [(c, n) for c, n in countries.most_common() if c != "IGO"]
        if ranked and ranked[0][1] >= minimum and ranked[0][1] / total >= share:
            self.context = ranked[0][0]

    # ---- coding a phrase --------------------------------------------------------------------

    def _place_country(self, head: Token) -> str | None:
        """The country a role phrase is placed in by its head's "in/of/from" complement
        ("security forces in Guinea", "opposition groups in Zimbabwe")."""
        for prep in head.children:
            if prep.dep_ != "prep" or prep.lower_ not in COUNTRY_PREPS:
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                code = self._code_tokens(list(phrase_span(obj, False)), obj, None)
                country = self.dict.country_of(code) if code else None
                if country:
                    return country
        return None

    def _code_tokens(
        self, toks: list[Token], head: Token, entity_id: str | None, where: str | None = None
    ) -> str | None:
        names, agents = self._parts(toks, head)
        h = next((i for i, t in enumerate(toks) if t.i == head.i), len(toks) - 1)
        on_head = next((n for n in names if n.start <= h < n.end), None)
        agent = next((a for a in agents if a.start <= h < a.end), None) or (
            agents[-1] if agents else None
        )
        if on_head is not None:
            return self._with_agent(on_head.code, agent)
        if entity_id and entity_id in self.entity_codes:
            return self.entity_codes[entity_id]
        if names:
            return self._with_agent(names[-1].code, agent)
        if agent is not None:
            if where or self.context:
                return _combine(where or self.context or "", agent.code)
            return agent.code.strip("~")
        return None

    def _with_agent(self, code: str, agent: _Match | None) -> str:
        """A name's code with a role word outside it: on its country (or IGO) part."""
        if agent is None:
            return code
        country = self.dict.country_of(code)
        if country and code != country:
            return _combine(country, agent.code)  # "Kremlin critic" -> RUS + OPP
        if country or (code.startswith("IGO") and agent.code.strip("~") not in code):
            return _combine(code, agent.code)  # "Russian police", "EU diplomats"
        return code  # an agent or group code already says who

    def code(self, ph: Phrase | None) -> ActorCode | None:
        """The CAMEO code of an actor or target phrase, or None when it does not resolve."""
        if ph is None:
            return None
        span = self.doc.char_span(ph.start, ph.end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        head = self.doc[ph.head] if ph.head is not None else span.root
        entity_id, _ = self.index.best(head.idx, head.idx + len(head.text))
        code = self._code_tokens(list(span), head, entity_id, self._place_country(head))
        if code is None:
            return None
        return ActorCode(code, self.dict.country_of(code))
