"""Restore document boundaries in a CoNLL-2003 file that lost its `-DOCSTART-` lines.

    python benchmarks/conll_documents.py dev.txt > dev_docs.conll

Copies the file and puts a `-DOCSTART-` line before every sentence that is followed by a
dateline sentence (one ending in a YYYY-MM-DD token, as "LONDON 1996-08-30"): in CoNLL-2003's
Reuters stories that sentence is the headline, the first of a story. `newsflow eval ner`
applies the same rule itself to a file without document marks (`story_starts`); this script
shows the boundaries it finds.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def sentences(lines: list[str]) -> list[list[str]]:
    """The file's sentences, each the list of its token lines (blank lines split them)."""
    out: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def with_documents(lines: list[str]) -> list[str]:
    """The lines with `-DOCSTART- O` before each story (after the first): the rule
    `newsflow eval ner` applies itself to a file without document marks."""
    from tasks.evaluate.ner import story_starts

    sents = sentences(lines)
    starts = set(story_starts([[(ln.split()[0], ln.split()[-1]) for ln in s] for s in sents]))
    out: list[str] = []
    for i, sentence in enumerate(sents):
        if i and i in starts:
            out += ["-DOCSTART- O", ""]
        out += [*sentence, ""]
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    sys.stdout.write("\n".join(with_documents(lines)).rstrip("\n") + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
