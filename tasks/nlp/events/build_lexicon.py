"""Building the event trigger lexicon (build time only): PLOVER categories for verbs, verb phrases, verb patterns and nouns.

`config/event_lexicon.toml` is generated once by `build_lexicon` from the PETRARCH2 CAMEO verb
dictionary (`cameo_verbs.txt`) and the CAMEO-to-PLOVER table (`cameo_to_plover.txt`), then
committed; at run time only `load_lexicon` is used and nothing outside the project is read.

Regenerate with::

    python -m tasks.nlp.events.build_lexicon /path/to/lexicons config/event_lexicon.toml

Curation by the PLOVER and CAMEO definitions (the tables of
`tasks.nlp.events.curation`):
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.nlp.events.curation import (
    CATEGORY_OVERRIDES,
    CRIME_VERBS,
    DROPPED_PATTERNS,
    DROPPED_VERBS,
    EXTRA_PHRASES,
    EXTRA_VERBS,
    MODE_CUES,
    NOMINALISATIONS,
)
from tasks.nlp.events.lexicon import QUAD_CLASSES


# Rules version: the lexicon and the rules of tasks.nlp.events.coder, dates, quotes and fivew; it goes into `rules_version`
# provenance, so bump it whenever either changes.
LEXICON_VERSION = "events/5"

_CODE_RE = re.compile(r"\[([^\]]*)\]")
_Table = dict[str, tuple[str, str]]  # CAMEO code -> (PLOVER category, PLOVER mode)


def _plover_table(path: Path) -> _Table:
    """Read `cameo_to_plover.txt` into {cameo code: (category, PLOVER mode)}."""
    table: _Table = {}
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


def _category_for(code: str, table: _Table) -> str | None:
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


def _entry(code: str, table: _Table) -> dict[str, Any] | None:
    if code == "":
        return None
    category = _category_for(code, table)
    if category is None:
        return None
    return {"category": category, "cameo": code}


@dataclass
class _VerbFile:
    """What `cameo_verbs.txt` holds: synonym sets, verb codes, phrases and patterns."""

    synsets: dict[str, list[str]] = field(default_factory=dict)
    verb_codes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    phrases: dict[str, str] = field(default_factory=dict)
    patterns: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    block_code: str = ""
    block_verbs: list[str] = field(default_factory=list)


def _synset_line(line: str, current: str | None, data: _VerbFile) -> str | None:
    """A line of the synonym-set header: `&SET` opens a set, `+WORD` adds to it."""
    if line.startswith("&"):
        current = line[1:].strip().lower()
        data.synsets[current] = []
    elif line.startswith("+") and current is not None:
        data.synsets[current].append(_word(line[1:].split("{")[0]))
    return current


def _pattern_words(after: str, synsets: dict[str, list[str]]) -> list[str]:
    """The words after the verb in a pattern (`$` source, `+` target and `^` skips dropped)."""
    words: list[str] = []
    for tok in re.sub(r"[(){}]", " ", after).split():
        if tok in {"$", "+", "^", "%"} or tok.startswith(("$", "+", "^")):
            continue
        if tok.startswith("&"):
            if tok[1:].lower() in synsets:
                words.append("&" + tok[1:].lower())
            continue
        words.append(_word(tok))
    return words


def _pattern_line(line: str, comment: str, data: _VerbFile, table: _Table) -> None:
    """`- * WORDS [code]`: a pattern of the verbs of the current block."""
    parsed = _parse_code(line)
    if parsed is None:
        return
    code, passive = parsed
    body = _CODE_RE.sub("", line.lstrip()[1:]).strip()
    before, star, after = body.partition("*")
    if not star or re.search(r"[A-Za-z&]", before):
        return  # no verb marker, or subject-side constraints (not modelled)
    words = _pattern_words(after, data.synsets)
    if not words:
        return
    entry = _entry(code, table) if code else None
    origin = _word(comment.split()[0]) if comment.split() else ""
    # the trailing comment names the verb the pattern was written for
    owners = [origin] if origin in data.block_verbs else data.block_verbs
    for verb in owners:
        data.patterns[verb].append(
            {
                "words": words,
                "category": entry["category"] if entry else "",
                "cameo": code,
                **({"passive": True} if passive else {}),
            }
        )


def _synonym_line(line: str, data: _VerbFile) -> None:
    """`WORD {forms} [code]` or `+MULTI_WORD {forms} [code]`: a verb or phrase of the block."""
    parsed = _parse_code(line)
    code = parsed[0] if parsed else data.block_code
    head = _CODE_RE.sub("", line.split("{")[0]).strip()
    if not head:
        return
    if head.startswith("+") or "_" in head.strip("_"):
        phrase = _word(head)
        if " " in phrase:
            if code and phrase not in data.phrases:
                data.phrases[phrase] = code
            data.block_verbs.append(phrase.split()[0])
            return
    verb = _word(head)
    if not verb or " " in verb:
        return
    data.block_verbs.append(verb)
    if code:
        data.verb_codes[verb][code] += 1


def _read_verb_file(path: Path, table: _Table) -> _VerbFile:
    data = _VerbFile()
    in_verbs = False
    current_set: str | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line, _, comment = raw.partition("#")
        line = line.rstrip()
        if "VERB PATTERNS" in raw:
            in_verbs = True
        elif not line.strip():
            current_set = None
        elif not in_verbs:
            current_set = _synset_line(line, current_set, data)
        elif line.startswith("---"):
            parsed = _parse_code(line)
            data.block_code = parsed[0] if parsed else ""
            data.block_verbs = []
        elif line.lstrip().startswith("-"):
            _pattern_line(line, comment, data, table)
        else:
            _synonym_line(line, data)
    return data


def _verb_entries(data: _VerbFile, table: _Table) -> dict[str, dict[str, Any]]:
    """Each verb's most frequent code, curated (dropped and extra verbs)."""
    verbs: dict[str, dict[str, Any]] = {}
    for verb, codes in data.verb_codes.items():
        entry = _entry(codes.most_common(1)[0][0], table)
        if entry and verb not in DROPPED_VERBS:
            verbs[verb] = entry
    for verb, code in EXTRA_VERBS.items():
        if verb in CRIME_VERBS or code == "":
            verbs[verb] = {"category": "CRIME", "cameo": ""}
        elif entry := _entry(code, table):
            verbs[verb] = entry
    return verbs


def _phrase_entries(data: _VerbFile, table: _Table) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for phrase, code in {**data.phrases, **EXTRA_PHRASES}.items():
        passive = code.endswith("p")  # "p": the subject undergoes the event (goes to court)
        code = code.rstrip("p")
        entry = _entry(code, table) if code else None
        out[phrase] = (entry or {"category": "", "cameo": code}) | (
            {"passive": True} if passive else {}
        )
    return out


def _useful_patterns(
    patterns: dict[str, list[dict[str, Any]]], verbs: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Only the patterns that change what the verb alone would code (no duplicates)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for verb, items in sorted(patterns.items()):
        base = verbs.get(verb, {}).get("category", "")
        seen: set[tuple[str, ...]] = set()
        kept = []
        for p in items:
            key = tuple(p["words"])
            if (verb, key) in DROPPED_PATTERNS:
                continue
            if p["category"] != base and key not in seen:
                seen.add(key)
                kept.append(p)
        if kept and verb not in ("be", "have"):
            out[verb] = kept
    return out


def build_lexicon(cameo_verbs_path: str | Path, cameo_to_plover_path: str | Path) -> dict[str, Any]:
    """Build the lexicon (a TOML-ready dict) from the PETRARCH2 and PLOVER dictionaries."""
    table = _plover_table(Path(cameo_to_plover_path))
    data = _read_verb_file(Path(cameo_verbs_path), table)
    verbs = _verb_entries(data, table)
    nouns: dict[str, dict[str, Any]] = {}
    for noun, code in NOMINALISATIONS.items():
        entry = _entry(code, table) if code else {"category": "CRIME", "cameo": ""}
        if entry:
            nouns[noun] = entry
    patterns = _useful_patterns(data.patterns, verbs)
    used_sets = {w[1:] for ps in patterns.values() for p in ps for w in p["words"] if w[0] == "&"}
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
        "cameo_to_category": {code: _category_for(code, table) or "" for code in sorted(table)},
        "modes": MODE_CUES,
        "verbs": dict(sorted(verbs.items())),
        "phrases": dict(sorted(_phrase_entries(data, table).items())),
        "nouns": dict(sorted(nouns.items())),
        "synsets": {k: v for k, v in sorted(data.synsets.items()) if k in used_sets},
        "patterns": patterns,
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
        "# PETRARCH2 CAMEO verb dictionary and the CAMEO-to-PLOVER table, curated in tasks/nlp/events/curation.py.",
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
