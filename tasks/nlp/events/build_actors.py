"""Building the actor dictionary (build time only): CAMEO actor and agent codes for names.

`config/actors.json.gz` is generated once from the PETRARCH2 actor dictionaries
(`actors_countries.txt`, `actors_international.txt`, `actors_nonstate.txt`: names with country,
IGO or group codes and their date ranges) and the agent dictionary (`agents.txt`: role words such
as `POLICE [~COP]`), then committed; at run time only `tasks.nlp.events.actors.load_actors`
reads it and nothing outside the project is read. Regenerate with::

    python -m tasks.nlp.events.build_actors /path/to/lexicons config/actors.json.gz

How the TABARI/PETRARCH text format is read (as PETRARCH2's `read_actor_dictionary` and
`read_agent_dictionary` describe it):
- an actor entry is one or more name lines (`+` marks a synonym) followed by its codes, inline or
  on indented lines: `[RUSGOV]`, `[RUSGOV 991231-080507]`, `[RUSGOV >080508]`, `[USAELI <900101]`;
  six-digit dates are YYMMDD (00-30 is 20YY); consecutive name lines without codes share the
  codes that follow (PETRARCH gives them to the last line only, an accident of its reader);
- names are lower-cased, `_` becomes a space, a leading "the" and parenthesised parts are dropped;
  a one-word alias of a person's entry (dated codes, no bare country code: "putin") is left
  out, since surnames collide across people; full names are kept ("vladimir putin");
- agents: `PHRASE {PLURAL} [~CODE]` where the code is appended to the actor's (`CODE~` puts it
  before); regular plurals are generated (-s, -y to -ies, -ss to -ess), `{}` means none;
  `!PERSON!` and `!MINIST!` substitution sets are expanded.
A few generic role words the agent file lacks are added (`EXTRA_AGENTS`), each a CAMEO sector.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTORS_VERSION = "actors/1"
ACTOR_FILES = ("actors_countries.txt", "actors_international.txt", "actors_nonstate.txt")
# Generic role words missing from agents.txt, with their CAMEO sector codes.
EXTRA_AGENTS: dict[str, str] = {
    "official": "~GOV",
    "officials": "~GOV",
    "authorities": "~GOV",
    "opposition": "~OPP",
    "critic": "~OPP",
    "critics": "~OPP",
    "militant": "~REB",
    "militants": "~REB",
    "security forces": "~MIL",
}
_CODE_RE = re.compile(r"\[([^\]]*)\]")


def normalise(text: str) -> str:
    """Dictionary or text phrase -> the key form: lower case, single spaces, no leading "the",
    no parenthesised part, hyphens without spaces ("al - qaeda" -> "al-qaeda")."""
    text = re.sub(r"\([^)]*\)", " ", text.replace("_", " ").lower())
    text = re.sub(r"\s*-\s*", "-", text)
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def _date(text: str) -> int:
    """PETRARCH date -> YYYYMMDD (six digits are YYMMDD, 00-30 meaning 20YY)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) <= 7:
        yy = int(digits[:2])
        return (2000 + yy if yy <= 30 else 1900 + yy) * 10000 + int(digits[2:6] or 0)
    return int(digits[:8])


def _code(inner: str) -> list[Any] | None:
    """'RUSGOV 991231-080507' -> ['RUSGOV', 19991231, 20080507]; 0 = open; None: no code."""
    parts = inner.split()
    if not parts or parts[0].startswith("-") or not re.fullmatch(r"[A-Z~]+", parts[0]):
        return None
    code, dates = parts[0], "".join(parts[1:])
    if not dates:
        return [code, 0, 0]
    try:
        if dates.startswith(">"):
            return [code, _date(dates[1:]), 0]
        if dates.startswith("<"):
            return [code, 0, _date(dates[1:])]
        start, _, end = dates.partition("-")
        return [code, _date(start), _date(end) if end else 0]
    except ValueError:
        return None


def _codes(text: str) -> list[list[Any]]:
    return [c for c in (_code(m.group(1)) for m in _CODE_RE.finditer(text)) if c is not None]


@dataclass
class _Group:
    names: list[str] = field(default_factory=list)
    codes: list[list[Any]] = field(default_factory=list)


def _groups(path: Path) -> list[_Group]:
    """Actor entries of one dictionary file: names and the codes they share."""
    groups: list[_Group] = []
    cur = _Group()
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.partition("#")[0].strip()
        if not line:
            continue
        if line.startswith("["):
            cur.codes.extend(_codes(line))
            continue
        if line.startswith("+"):
            cur.names.append(normalise(line[1:].partition("[")[0]))
            cur.codes.extend(_codes(line))
            continue
        if cur.codes:
            groups.append(cur)
            cur = _Group()
        name, bracket, rest = line.partition("[")
        cur.names.append(normalise(name))
        if bracket:
            cur.codes.extend(_codes(bracket + rest))
    if cur.codes:
        groups.append(cur)
    return groups


def _is_surname_alias(name: str, group: _Group) -> bool:
    """A one-word alias of a person (an entry with dated codes and no bare country code, and
    multi-word names): a surname, which other people share."""
    person = any(c[1] or c[2] for c in group.codes) and not any(
        re.fullmatch(r"[A-Z]{3}", c[0]) for c in group.codes
    )
    return person and " " not in name and any(" " in n for n in group.names)


def read_actors(folder: Path) -> tuple[dict[str, list[list[Any]]], list[str]]:
    """{name: [[code, start, end], ...]} over the three actor files, and the country codes."""
    actors: dict[str, list[list[Any]]] = {}
    countries: set[str] = set()
    for filename in ACTOR_FILES:
        for group in _groups(folder / filename):
            if filename == "actors_countries.txt":
                countries.update(c[0] for c in group.codes if re.fullmatch(r"[A-Z]{3}", c[0]))
            for name in group.names:
                if name and not _is_surname_alias(name, group) and len(name) > 1:
                    actors.setdefault(name, [])
                    actors[name].extend(c for c in group.codes if c not in actors[name])
    return actors, sorted(countries)


def _plurals(phrase: str, braces: str | None) -> list[str]:
    """The phrase and its plural: `{}` none, `{X}` that one, else the regular one."""
    if braces is not None:
        return [phrase] + ([normalise(braces)] if braces.strip() else [])
    if phrase.endswith("ss"):
        return [phrase, phrase + "es"]
    if phrase.endswith("y") and not phrase.endswith(("ay", "ey", "oy", "uy")):
        return [phrase, phrase[:-1] + "ies"]
    if phrase.endswith("s"):
        return [phrase]
    return [phrase, phrase + "s"]


def read_agents(path: Path) -> dict[str, str]:
    """{role phrase: '~CODE' or 'CODE~'} from the agent dictionary, substitution sets expanded."""
    subs: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.partition("#")[0].strip()
        m = re.fullmatch(r"(![A-Z]+!)\s*=\s*(.+)", line)
        if m:
            subs[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        code = re.search(r"\[([^\]]+)\]", line)
        if not code or "~" not in code.group(1):
            continue
        head = line[: code.start()]
        braces = re.search(r"\{([^}]*)\}", head)
        phrase = re.sub(r"\{[^}]*\}", "", head).strip()
        marker = re.search(r"![A-Z]+!", phrase)
        if marker and marker.group(0) in subs:
            forms = [phrase.replace(marker.group(0), w) for w in subs[marker.group(0)]]
            names = [normalise(f) for f in forms]
        else:
            names = _plurals(normalise(phrase), braces.group(1) if braces else None)
        for name in names:
            if name and "!" not in name:
                agents.setdefault(name, code.group(1).strip())
    for name, extra in EXTRA_AGENTS.items():
        agents.setdefault(name, extra)
    return agents


def build_actors(folder: str | Path) -> dict[str, Any]:
    """The actor dictionary (a JSON-ready dict) from the PETRARCH2 dictionaries in `folder`."""
    src = Path(folder)
    actors, countries = read_actors(src)
    return {
        "meta": {
            "version": ACTORS_VERSION,
            "description": "CAMEO actor and agent codes, generated by "
            "tasks.nlp.events.build_actors",
            "sources": [
                "PETRARCH2 actors_countries.txt, actors_international.txt, actors_nonstate.txt,"
                " agents.txt (openeventdata/petrarch2 676801c, MIT)",
            ],
            "dates": "codes are [code, start, end]: YYYYMMDD, start inclusive, end exclusive, "
            "0 = open",
        },
        "countries": countries,
        "actors": dict(sorted(actors.items())),
        "agents": dict(sorted(read_agents(src / "agents.txt").items())),
    }


def main(argv: list[str]) -> int:
    """`python -m tasks.nlp.events.build_actors LEXICON_DIR OUT.json.gz`."""
    if len(argv) != 2:
        print(
            "usage: python -m tasks.nlp.events.build_actors LEXICON_DIR OUT.json.gz",
            file=sys.stderr,
        )
        return 2
    data = build_actors(argv[0])
    raw = json.dumps(data, separators=(",", ":"), sort_keys=False).encode("utf-8")
    # mtime=0: the same dictionaries give byte-identical output
    Path(argv[1]).write_bytes(gzip.compress(raw, mtime=0))
    print(
        f"wrote {argv[1]}: {len(data['actors'])} actor names, {len(data['agents'])} agent "
        f"phrases, {len(data['countries'])} country codes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
