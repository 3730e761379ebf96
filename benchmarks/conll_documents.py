"""Restore document boundaries in a CoNLL-2003 file that lost its `-DOCSTART-` lines.

    python benchmarks/conll_documents.py dev.txt > dev_docs.conll

Copies the file and puts a `-DOCSTART-` line before every sentence that is followed by a
dateline sentence (one ending in a YYYY-MM-DD token, as "LONDON 1996-08-30"): in CoNLL-2003's
Reuters stories that sentence is the headline, the first of a story. `newsflow eval ner` then
reads each story as one article (the ruler and the settled labels work per article).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_DAY = re.compile(r"\d{4}-\d\d-\d\d")


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
    """The lines with `-DOCSTART- O` before each headline (after the first)."""
    sents = sentences(lines)

    def is_dateline(sentence: list[str]) -> bool:
        words = [line.split()[0] for line in sentence]
        return len(words) >= 2 and _DAY.fullmatch(words[-1]) is not None

    out: list[str] = []
    for i, sentence in enumerate(sents):
        if i and i + 1 < len(sents) and is_dateline(sents[i + 1]):
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
