"""Building the event trigger lexicon (build time only): PLOVER categories for verbs, verb phrases, verb patterns and nouns.

`config/event_lexicon.toml` is generated once by `build_lexicon` from the PETRARCH2 CAMEO verb
dictionary (`cameo_verbs.txt`) and the CAMEO-to-PLOVER table (`cameo_to_plover.txt`), then
committed; at run time only `load_lexicon` is used and nothing outside the project is read.

Regenerate with::

    python -m tasks.nlp.events.build_lexicon /path/to/lexicons config/event_lexicon.toml

Curation by the PLOVER and CAMEO definitions (see `CATEGORY_OVERRIDES`, `DROPPED_VERBS` and
`NOMINALISATIONS` below):
- the PLOVER 0.8 table still uses older names; they are mapped onto the category set the project
  uses (REQUEST -> DEMAND; ACCUSE/investigate -> INVESTIGATE; other ACCUSE -> DISAPPROVE; CAMEO 19
  conventional military force -> FIGHT; CAMEO 163 "impose embargo, boycott or sanctions" ->
  SANCTION, as PLOVER's SANCTION definition includes sanctions and embargoes);
- CAMEO 01 (public statements) codes no event: saying is a reporting cue, not an event;
  CAMEO 02 (appeal) is folded into DEMAND, as in PLOVER;
- light or very general verbs ("face", "want", "put", "set") keep only their patterns, since alone
  they say nothing about the event;
- nominalisations ("visit", "sanctions", "talks") are listed by hand per CAMEO code.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tasks.nlp.events.lexicon import QUAD_CLASSES


# CAMEO code prefixes whose PLOVER 0.8 mapping is replaced (longest prefix wins).
CATEGORY_OVERRIDES: dict[str, str | None] = {
    "01": None,  # make public statement: a reporting cue, not an event
    "02": "DEMAND",  # appeal: PLOVER folds appeals and requests into DEMAND
    "163": "SANCTION",  # impose embargo, boycott or sanctions
    "19": "FIGHT",  # conventional military force
    "191": "COERCE",  # blockade
    "192": "COERCE",  # occupy territory
    "1712": "COERCE",  # destroy property: PLOVER COERCE covers seizing or damaging property
    "0813": "CONCEDE",  # ease curfew: easing an administrative restriction (CAMEO 081)
    "0814": "CONCEDE",  # ease state of emergency or martial law (CAMEO 081)
}

# Over-general verbs: only their dictionary patterns (verb + object/preposition) code events.
DROPPED_VERBS: frozenset[str] = frozenset(
    """be have do go come get make take give put set place pose position post base stage face want
    need look appear seem bring deliver keep hold run turn leave let show find see send carry
    move work play stand use try begin start open end close continue remain stay say tell
    call meet brave encounter confront contact state add note express voice receive
    attend host lead head follow join reach express speak talk decide weigh break enter
    expect plan intend hope aim""".split()
)

# Verbs whose plain use is an event even though the dictionary only codes them via patterns.
# Each is coded by its CAMEO definition.
EXTRA_VERBS: dict[str, str] = {
    "meet": "040",
    "visit": "042",
    "host": "043",
    "confer": "040",
    "negotiate": "046",
    "mediate": "045",
    "detain": "173",
    "arrest": "173",
    "jail": "173",
    "imprison": "173",
    "sentence": "173",
    "charge": "173",
    "indict": "173",
    "prosecute": "173",
    "deport": "174",
    "expel": "166",
    "sanction": "163",
    "embargo": "163",
    "boycott": "143",
    "blacklist": "163",
    "protest": "141",
    "demonstrate": "141",
    "rally": "141",
    "march": "141",
    "riot": "145",
    "strike": "143",
    "picket": "141",
    "urge": "020",
    "demand": "100",
    "appeal": "020",
    "request": "020",
    "criticize": "111",
    "criticise": "111",
    "condemn": "111",
    "denounce": "111",
    "accuse": "112",
    "reject": "120",
    "refuse": "120",
    "veto": "129",
    "threaten": "130",
    "warn": "130",
    "attack": "190",
    "bomb": "195",
    "shell": "194",
    "invade": "192",
    "kill": "1823",
    "assassinate": "186",
    "kidnap": "181",
    "abduct": "181",
    "torture": "1822",
    "beat": "182",
    "investigate": "090",
    "probe": "090",
    "aid": "070",
    "donate": "070",
    "release": "0841",
    "free": "0841",
    "withdraw": "0872",
    "retreat": "0874",
    "surrender": "0874",
    "disarm": "0873",
    "agree": "030",
    "promise": "030",
    "pledge": "030",
    "vow": "030",
    "sign": "057",
    "praise": "051",
    "endorse": "051",
    "welcome": "051",
    "apologize": "055",
    "apologise": "055",
    "forgive": "056",
    "cooperate": "060",
    "mobilize": "154",
    "mobilise": "154",
    "deploy": "154",
    "seize": "171",
    "confiscate": "1711",
    "occupy": "192",
    "fight": "190",
    "clash": "190",
    "raid": "190",
    "support": "050",
    "smuggle": "",
    "rob": "",
    "loot": "",
    # by CAMEO definition: 115 bring lawsuit against; 081 ease restrictions; 160 reduce
    # relations; 128 defy norms, law; 0873 demobilize
    "sue": "115",
    "lift": "081",
    "ease": "081",
    "relax": "081",
    "loosen": "081",
    "suspend": "160",
    "violate": "128",
    "defy": "128",
    "flout": "128",
    "demobilize": "0873",
    "demobilise": "0873",
}
CRIME_VERBS: frozenset[str] = frozenset({"smuggle", "rob", "loot", "embezzle", "steal", "traffic"})

# Verb phrases the dictionary lacks or that should outrank the head verb alone.
EXTRA_PHRASES: dict[str, str] = {
    "call for": "020",
    "call on": "020",
    "call upon": "020",
    "ask for": "020",
    "take to the streets": "141",
    "take to street": "141",
    "pour into the streets": "141",
    "put on blacklist": "163",
    "put on list": "163",
    "put on trial": "173",
    "put behind bars": "173",
    "put under arrest": "173",
    "take into custody": "173",
    "hold talks": "046",
    "hold talk": "046",
    "hold meeting": "040",
    "hold a meeting": "040",
    "hold off": "",
    "impose sanction": "163",
    "impose sanctions": "163",
    "impose embargo": "163",
    "slap sanction": "163",
    "slap sanctions": "163",
    "lift sanction": "085",
    "lift sanctions": "085",
    "ease sanction": "085",
    "ease sanctions": "085",
    "open fire": "190",
    "set free": "0841",
    "crack down": "175",
    "clamp down": "175",
    "go to court": "173p",
    "appear in court": "173p",
    "appear before court": "173p",
    "be due in court": "173p",
    "stand trial": "173p",
    "face trial": "173p",
    "face charges": "173p",
    "face charge": "173p",
    "pull out": "0872",
    "step down": "0831",
    "send troops": "154",
    "call off": "160",
    "break off": "161",
    "cut off": "160",
    "freeze asset": "163",
    "freeze assets": "163",
    # calling off one's own strike or protest eases dissent (CAMEO 082), not a sanction
    "call off strike": "082",
    "call off protest": "082",
    "call off boycott": "082",
    "call off rally": "082",
    "end strike": "082",
    "suspend aid": "162",
    "cut aid": "162",
    "halt aid": "162",
    "freeze aid": "162",
    "send arms": "072",
    "send weapons": "072",
    "supply arms": "072",
    "supply weapons": "072",
    "upgrade ties": "050",
    "upgrade relations": "050",
    "restore ties": "050",
    "restore relations": "050",
    "receive observer": "0862",
    "receive inspector": "0862",
    "receive monitor": "0862",
    "cancel restriction": "081",
    "lift restriction": "081",
}

# Nominalisations and event nouns, coded by CAMEO definition.
NOMINALISATIONS: dict[str, str] = {
    "visit": "042",
    "trip": "042",
    "tour": "042",
    "talks": "046",
    "talk": "046",
    "negotiation": "046",
    "meeting": "040",
    "summit": "040",
    "consultation": "040",
    "mediation": "045",
    "phone call": "041",
    "agreement": "030",
    "deal": "030",
    "pact": "030",
    "accord": "030",
    "promise": "030",
    "pledge": "030",
    "treaty": "057",
    "endorsement": "051",
    "praise": "051",
    "apology": "055",
    "recognition": "054",
    "cooperation": "060",
    "aid": "070",
    "assistance": "070",
    "donation": "070",
    "grant": "071",
    "loan": "071",
    "asylum": "075",
    "relief": "073",
    "concession": "080",
    "amnesty": "0841",
    "release": "0841",
    "withdrawal": "0872",
    "ceasefire": "0871",
    "truce": "0871",
    "retreat": "0874",
    "surrender": "0874",
    "investigation": "090",
    "probe": "090",
    "inquiry": "090",
    "inquest": "090",
    "demand": "100",
    "appeal": "020",
    "request": "020",
    "plea": "020",
    "call": "020",
    "ultimatum": "139",
    "criticism": "111",
    "condemnation": "111",
    "accusation": "112",
    "allegation": "112",
    "complaint": "114",
    "lawsuit": "115",
    "rebuke": "111",
    "rejection": "120",
    "refusal": "120",
    "veto": "129",
    "threat": "130",
    "warning": "130",
    "protest": "141",
    "rally": "141",
    "demonstration": "141",
    "march": "141",
    "sit-in": "141",
    "strike": "143",
    "boycott": "143",
    "hunger strike": "142",
    "riot": "145",
    "blockade": "191",
    "mobilisation": "154",
    "mobilization": "154",
    "deployment": "154",
    "buildup": "154",
    "sanction": "163",
    "sanctions": "163",
    "embargo": "163",
    "blacklist": "163",
    "asset freeze": "163",
    "assets freeze": "163",
    "travel ban": "163",
    "expulsion": "166",
    "arrest": "173",
    "detention": "173",
    "trial": "173",
    "indictment": "173",
    "prosecution": "173",
    "sentence": "173",
    "deportation": "174",
    "crackdown": "175",
    "curfew": "1723",
    "seizure": "171",
    "confiscation": "1711",
    "occupation": "192",
    "attack": "190",
    "assault": "180",
    "bombing": "183",
    "abduction": "181",
    "kidnapping": "181",
    "torture": "1822",
    "assassination": "186",
    "killing": "1823",
    "poisoning": "180",
    "massacre": "202",
    "ethnic cleansing": "203",
    "airstrike": "195",
    "air strike": "195",
    "shelling": "194",
    "bombardment": "195",
    "offensive": "190",
    "raid": "190",
    "clash": "190",
    "fighting": "190",
    "invasion": "192",
    "war": "190",
    "smuggling": "",
    "robbery": "",
    "looting": "",
    "suspension": "160",
    "defiance": "128",
    "demobilization": "0873",
    "demobilisation": "0873",
    "general strike": "143",
}

# Mode cues (lemmas, lower case; multiword cues are matched on the sentence's lemma sequence).
MODE_CUES: dict[str, list[str]] = {
    "planning": [
        "will",
        "shall",
        "plan",
        "intend",
        "expect",
        "due",
        "schedule",
        "set to",
        "is to",
        "are to",
        "be to",
        "going to",
        "prepare",
        "aim",
        "promise",
        "pledge",
        "vow",
        "seek",
        "hope",
        "want",
        "agree to",
        "decide to",
        "next",
        "upcoming",
        "planned",
        "would",
        "willing",
        "ready",
        "prepared",
        "intend",
        "commit",
        "committed",
        "offer",
        "threaten",
        "propose",
        "must",
        "should",
    ],
    "hypothetical": [
        "possible",
        "possibly",
        "could",
        "may",
        "might",
        "if",
        "unless",
        "whether",
        "consider",
        "weigh",
        "discuss",
        "debate",
        "mull",
        "contemplate",
        "propose",
        "suggest",
        "potential",
        "option",
        "tool",
        "perhaps",
        "likely",
        "unlikely",
        "threaten",
    ],
    "negation": [
        "not",
        "never",
        "no",
        "n't",
        "premature",
        "refuse",
        "decline",
        "hold off",
        "reject",
        "rule out",
        "fail",
        "deny",
        "without",
        "stop short",
        "postpone",
        "delay",
        "scrap",
        "cancel",
        "halt",
        "abandon",
        "too early",
    ],
    "reporting": [
        "say",
        "tell",
        "report",
        "insist",
        "claim",
        "announce",
        "state",
        "add",
        "note",
        "declare",
        "confirm",
        "explain",
        "argue",
        "stress",
        "assert",
        "allege",
        "quote",
        "according to",
        "write",
        "tweet",
        "post",
        "comment",
        "admit",
        "acknowledge",
        "reply",
        "respond",
        "told",
        "reiterate",
        "emphasize",
        "emphasise",
        "say in a statement",
        "indicate",
        "suggest",
        "maintain",
        "predict",
        "observe",
        "recall",
        "remark",
    ],
}

# Rules version: the lexicon and the rules of tasks.nlp.events.coder, dates, quotes and fivew; it goes into `rules_version`
# provenance, so bump it whenever either changes.
LEXICON_VERSION = "events/5"

_CODE_RE = re.compile(r"\[([^\]]*)\]")


def _plover_table(path: Path) -> dict[str, tuple[str, str]]:
    """Read `cameo_to_plover.txt` into {cameo code: (category, PLOVER mode)}."""
    table: dict[str, tuple[str, str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.partition("#")[0]
        if ":" not in line or line.startswith("~"):
            continue
        code, _, rest = line.partition(":")
        code = code.strip()
        if not code.isdigit():
            continue
        parts = [x.strip() for x in rest.split(",")]
        table.setdefault(code, (parts[0], parts[1] if len(parts) > 1 else ""))
    return table


def _category_for(code: str, table: dict[str, tuple[str, str]]) -> str | None:
    """PLOVER category for a CAMEO code, after the project's curation."""
    if not code:
        return None
    for n in range(len(code), 1, -1):
        if code[:n] in CATEGORY_OVERRIDES:
            return CATEGORY_OVERRIDES[code[:n]]
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            category, mode = table[code[:n]]
            if category == "ACCUSE":
                category = "INVESTIGATE" if mode == "investigate" else "DISAPPROVE"
            elif category == "REQUEST":
                category = "DEMAND"
            return category if category in QUAD_CLASSES else None
    return None


def _parse_code(text: str) -> tuple[str, bool] | None:
    """'[042:043]' -> ('042', False); '[:173]' -> ('173', True); '[---]' -> ('', False)."""
    m = _CODE_RE.search(text)
    if not m:
        return None
    inner = m.group(1).strip()
    if inner.startswith("---"):
        return "", False
    first, _, second = inner.partition(":")
    if first.strip():
        return first.strip(), False
    return second.strip(), True


def _word(token: str) -> str:
    """Dictionary word -> lower-case text ('KRONE_' -> 'krone', 'NUCLEAR_BOMB' -> 'nuclear bomb')."""
    return token.strip("_+").replace("_", " ").lower()


def _entry(code: str, table: dict[str, tuple[str, str]]) -> dict[str, Any] | None:
    if code == "":
        return None
    category = _category_for(code, table)
    if category is None:
        return None
    return {"category": category, "cameo": code}


def build_lexicon(cameo_verbs_path: str | Path, cameo_to_plover_path: str | Path) -> dict[str, Any]:
    """Build the lexicon (a TOML-ready dict) from the PETRARCH2 and PLOVER dictionaries."""
    table = _plover_table(Path(cameo_to_plover_path))
    lines = Path(cameo_verbs_path).read_text(encoding="utf-8", errors="replace").splitlines()
    synsets: dict[str, list[str]] = {}
    verb_codes: dict[str, Counter[str]] = defaultdict(Counter)
    phrases: dict[str, str] = {}
    patterns: dict[str, list[dict[str, Any]]] = defaultdict(list)
    in_verbs = False
    current_set: str | None = None
    block_code = ""
    block_verbs: list[str] = []
    for raw in lines:
        line, _, comment = raw.partition("#")
        line = line.rstrip()
        if "VERB PATTERNS" in raw:
            in_verbs = True
            continue
        if not line.strip():
            current_set = None
            continue
        if not in_verbs:
            if line.startswith("&"):
                current_set = line[1:].strip().lower()
                synsets[current_set] = []
            elif line.startswith("+") and current_set is not None:
                synsets[current_set].append(_word(line[1:].split("{")[0]))
            continue
        if line.startswith("---"):
            parsed = _parse_code(line)
            block_code = parsed[0] if parsed else ""
            block_verbs = []
            continue
        if line.lstrip().startswith("-"):
            parsed = _parse_code(line)
            if parsed is None:
                continue
            code, passive = parsed
            body = _CODE_RE.sub("", line.lstrip()[1:]).strip()
            if "*" not in body:
                continue
            before, _, after = body.partition("*")
            if re.search(r"[A-Za-z&]", before):
                continue  # subject-side constraints are not modelled
            words: list[str] = []
            for tok in re.sub(r"[(){}]", " ", after).split():
                if tok in {"$", "+", "^", "%"} or tok.startswith(("$", "+", "^")):
                    continue
                if tok.startswith("&"):
                    name = tok[1:].lower()
                    if name in synsets:
                        words.append("&" + name)
                    continue
                words.append(_word(tok))
            if not words:
                continue
            entry = _entry(code, table) if code else None
            origin = _word(comment.split()[0]) if comment.split() else ""
            # the trailing comment names the verb the pattern was written for
            owners = [origin] if origin in block_verbs else block_verbs
            for verb in owners:
                patterns[verb].append(
                    {
                        "words": words,
                        "category": entry["category"] if entry else "",
                        "cameo": code,
                        **({"passive": True} if passive else {}),
                    }
                )
            continue
        # a synonym line: WORD {forms} [code] or +MULTI_WORD {forms} [code]
        head = line.split("{")[0]
        parsed = _parse_code(line)
        code = parsed[0] if parsed else block_code
        head = _CODE_RE.sub("", head).strip()
        if not head:
            continue
        if head.startswith("+") or "_" in head.strip("_"):
            phrase = _word(head)
            if " " in phrase:
                if code and phrase not in phrases:
                    phrases[phrase] = code
                block_verbs.append(phrase.split()[0])
                continue
        verb = _word(head)
        if not verb or " " in verb:
            continue
        block_verbs.append(verb)
        if code:
            verb_codes[verb][code] += 1

    verbs: dict[str, dict[str, Any]] = {}
    for verb, codes in verb_codes.items():
        if verb in DROPPED_VERBS:
            continue
        code = codes.most_common(1)[0][0]
        entry = _entry(code, table)
        if entry:
            verbs[verb] = entry
    for verb, code in EXTRA_VERBS.items():
        if verb in CRIME_VERBS or code == "":
            verbs[verb] = {"category": "CRIME", "cameo": ""}
            continue
        entry = _entry(code, table)
        if entry:
            verbs[verb] = entry
    phrase_entries: dict[str, dict[str, Any]] = {}
    for phrase, code in {**phrases, **EXTRA_PHRASES}.items():
        passive = code.endswith("p")  # "p": the subject undergoes the event (goes to court)
        code = code.rstrip("p")
        entry = _entry(code, table) if code else None
        phrase_entries[phrase] = (entry or {"category": "", "cameo": code}) | (
            {"passive": True} if passive else {}
        )
    nouns: dict[str, dict[str, Any]] = {}
    for noun, code in NOMINALISATIONS.items():
        entry = _entry(code, table) if code else {"category": "CRIME", "cameo": ""}
        if entry:
            nouns[noun] = entry
    # keep only patterns that change what the verb alone would code
    for verb in list(patterns):
        base = verbs.get(verb, {}).get("category", "")
        seen: set[tuple[str, ...]] = set()
        kept = []
        for p in patterns[verb]:
            key = tuple(p["words"])
            if p["category"] == base or key in seen:
                continue
            seen.add(key)
            kept.append(p)
        if kept:
            patterns[verb] = kept
        else:
            del patterns[verb]
    used_sets = {
        w[1:] for ps in patterns.values() for p in ps for w in p["words"] if w.startswith("&")
    }
    cameo_table = {code: _category_for(code, table) or "" for code in sorted(table)}
    return {
        "meta": {
            "description": "PLOVER event trigger lexicon, generated by tasks.nlp.events.build_lexicon",
            "sources": [
                "PETRARCH2 cameo_verbs.txt (openeventdata/petrarch2 676801c, MIT)",
                "PLOVER cameo_to_plover.txt (openeventdata/PLOVER 5e0c24f, CC BY-SA 4.0)",
            ],
            "version": LEXICON_VERSION,
        },
        "quad_classes": dict(QUAD_CLASSES),
        "cameo_to_category": cameo_table,
        "modes": MODE_CUES,
        "verbs": dict(sorted(verbs.items())),
        "phrases": dict(sorted(phrase_entries.items())),
        "nouns": dict(sorted(nouns.items())),
        "synsets": {k: v for k, v in sorted(synsets.items()) if k in used_sets},
        "patterns": {k: v for k, v in sorted(patterns.items()) if k not in {"be", "have"}},
    }


# --- TOML writing (tomllib reads only) -------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def to_toml(data: dict[str, Any]) -> str:
    """Write the lexicon dict as TOML: one section per top-level key, one line per entry."""
    out = [
        "# PLOVER event trigger lexicon. Generated by `python -m tasks.nlp.events.build_lexicon LEXICON_DIR OUT` from the",
        "# PETRARCH2 CAMEO verb dictionary and the CAMEO-to-PLOVER table, curated in tasks/nlp/events/build_lexicon.py.",
        "# verbs/phrases/nouns: lemma -> PLOVER category and CAMEO code; patterns: verb lemma -> words",
        '# that must follow it in its phrase ("&set" = any word of synsets.set); an empty category',
        "# means the pattern is explicitly not an event. modes: cue words for the event mode.",
        "",
    ]
    for section, body in data.items():
        out.append(f"[{section}]")
        for key, value in body.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                out.append(f"{_toml_key(key)} = [")
                out.extend(f"  {_toml_value(v)}," for v in value)
                out.append("]")
            else:
                out.append(f"{_toml_key(key)} = {_toml_value(value)}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Generate the lexicon TOML: `python -m tasks.nlp.events.build_lexicon LEXICON_DIR OUT.toml`."""
    if len(argv) != 2:
        print(
            "usage: python -m tasks.nlp.events.build_lexicon LEXICON_DIR OUT.toml", file=sys.stderr
        )
        return 2
    src = Path(argv[0])
    data = build_lexicon(src / "cameo_verbs.txt", src / "cameo_to_plover.txt")
    Path(argv[1]).write_text(to_toml(data), encoding="utf-8")
    counts = {k: len(data[k]) for k in ("verbs", "phrases", "nouns", "patterns")}
    print(f"wrote {argv[1]}: {counts}, {sum(len(v) for v in data['patterns'].values())} patterns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
