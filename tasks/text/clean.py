"""Cleaning of article body text: general rules, each named, each dropped paragraph recorded.

Rules, applied to normalised paragraphs in this order:

- ``empty``: nothing left after normalisation (zero-width characters only, say).
- ``teaser``: "READ MORE: ...", "Related: ...", "Sign up ...", "Advertisement", rights notices
  ("All rights reserved") and the like.
- ``photo_credit``: a short line that is only an agency or photo credit ("AP",
  "AFP via Getty Images", "Photo: Jane Doe/Reuters", "(Photo by X/Getty)", "(c) ...").
- ``caption``: a paragraph printed twice (exact or near-exact) that sits next to a photo-credit
  line or reads like a photo caption; every copy leaves the body and the text goes to
  ``captions`` once.
- ``duplicate``: later exact copies of an earlier paragraph (the first copy stays).
- ``comments``: a comments heading ("Comments", "Comentar", "Kommentare", "Leave a comment",
  "Join the conversation") in the second half of the text, and everything after it: reader
  comments and comment policies are not the article.
- ``trailing_junk``: short fragments at the very end ("Route 6", "Share this", "Comments"),
  never short lines in the middle, which are subheadings.

Everything is pure: configuration comes in as a `CleanConfig`, text comes in as strings.
Paragraphs are normalised first (`tasks.text.normalize`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz.distance import Indel

from tasks.text.normalize import key_words, normalize_text, split_paragraphs

RULES_VERSION = "clean/4"

# Photo agencies and credit words seen in bylines under pictures; matched case-insensitively
# as whole phrases.
DEFAULT_CREDIT_AGENCIES: tuple[str, ...] = (
    "AP",
    "AP Photo",
    "Associated Press",
    "AFP",
    "Agence France-Presse",
    "Reuters",
    "Getty",
    "Getty Images",
    "EPA",
    "EFE",
    "EPA-EFE",
    "PA",
    "PA Media",
    "PA Wire",
    "PA Images",
    "Press Association",
    "Bloomberg",
    "Xinhua",
    "Anadolu",
    "Anadolu Agency",
    "Alamy",
    "Alamy Stock Photo",
    "Shutterstock",
    "iStock",
    "iStockphoto",
    "ANSA",
    "Sipa",
    "SIPA USA",
    "TASS",
    "Sputnik",
    "RIA Novosti",
    "REX",
    "REX Features",
    "Rex/Shutterstock",
    "NurPhoto",
    "WireImage",
    "FilmMagic",
    "Corbis",
    "UPI",
    "Kyodo",
    "Yonhap",
    "dpa",
    "picture alliance",
    "ZUMA",
    "ZUMA Press",
    "ZUMA Wire",
    "Sopa Images",
    "LightRocket",
    "Redux",
    "Imago",
    "NYT",
    "The New York Times",
    "Bloomberg News",
    "Newscom",
    "Wikimedia Commons",
    "Unsplash",
    "BBC",
)

# Words that may sit beside agency names in a credit ("Reuters file photo", "Handout via AFP").
DEFAULT_CREDIT_WORDS: tuple[str, ...] = (
    "photo",
    "photos",
    "photograph",
    "photographs",
    "picture",
    "pictures",
    "image",
    "images",
    "file",
    "pool",
    "handout",
    "via",
    "courtesy",
    "credit",
    "credits",
    "stock",
    "staff",
    "stringer",
    "contributor",
    "illustration",
    "video",
    "screenshot",
    "screengrab",
    "and",
    "for",
    "by",
    "of",
    "&",
)

# A line starting with one of these, then a short text, is a credit ("Photo: Jane Doe").
DEFAULT_CREDIT_PREFIXES: tuple[str, ...] = (
    "photo:",
    "photos:",
    "photograph:",
    "photo credit:",
    "image:",
    "image credit:",
    "images:",
    "picture:",
    "pictures:",
    "credit:",
    "credits:",
    "illustration:",
    "photo by",
    "photos by",
    "photograph by",
    "picture by",
    "image by",
    "courtesy of",
    "©",
    "(c)",
    "copyright",
)

# Case-insensitive line prefixes that mark a teaser. A trailing ":" means any of
# ":", "-", "|", ">" or "»" may follow (sites vary: "READ MORE -", "Related >>").
DEFAULT_TEASER_PREFIXES: tuple[str, ...] = (
    "read more:",
    "read more >>",
    "also read:",
    "related:",
    "related stories:",
    "related articles:",
    "related content:",
    "related coverage:",
    "more on this story:",
    "more:",
    "see also:",
    "recommended:",
    "don't miss:",
    "most read:",
    "trending:",
    "watch:",
    "watch the video:",
    "listen:",
    "video:",
    "sign up",
    "click here",
    "subscribe to",
    "subscribe now",
    "follow us on",
    "like us on facebook",
    "download our app",
    "download the app",
    "get our newsletter",
    "join our",
    # "read also" and "more on this" in the other languages of the news the project reads
    "lesen sie auch:",
    "lesen sie mehr:",
    "mehr zum thema:",
    "auch interessant:",
    "zum artikel:",
    "lire aussi:",
    "à lire aussi:",
    "lire la suite:",
    "leia também:",
    "leia mais:",
    "lee también:",
    "lea también:",
    "leer más:",
    "leggi anche:",
    "leggi di più:",
    "lees ook:",
    "lees meer:",
    "les også:",
    "les mer:",
    "læs også:",
    "læs mere:",
    "läs också:",
    "läs mer:",
    "lue myös:",
    "czytaj także:",
    "czytaj też:",
    "czytaj więcej:",
    "čtěte také:",
    "přečtěte si také:",
    "citește și:",
    "читайте также:",
    "читайте також:",
)

# Whole lines (case-insensitive, surrounding punctuation ignored) that are never content.
DEFAULT_TEASER_LINES: tuple[str, ...] = (
    "advertisement",
    "advertising",
    "ad",
    "sponsored",
    "sponsored content",
    "story continues below",
    "story continues below advertisement",
    "article continues below",
    "continue reading",
    "continue reading below",
    "skip advertisement",
    "scroll to continue with content",
    "related stories",
    "related articles",
    "related",
    "more stories",
    "share this",
    "share this article",
    "share",
    "comments",
    "view comments",
    "show comments",
    "read more",
    "lesen sie auch",
    "mehr zum thema",
    "auch interessant",
    "lire aussi",
    "leia também",
    "lee también",
    "leggi anche",
    "les også",
    "læs også",
    "läs också",
    "lees ook",
    "czytaj także",
    "czytaj też",
    "czytaj więcej",
)

# Lines that are a notice, not the article, wherever they sit (searched case-insensitively in a
# line of at most `max_teaser_words` words): rights notices and "did you like this article".
DEFAULT_TEASER_PATTERNS: tuple[str, ...] = (
    r"all rights reserved|alle rechte vorbehalten|tous droits r[ée]serv[ée]s|"
    r"todos los derechos reservados|tutti i diritti riservati|무단 전재|無断転載|版权所有",
    r"^(?:wie )?hat ihnen (?:dieser|der) artikel gefallen\b",
    r"^did you (?:enjoy|like) this (?:article|story)\b",
    r"^fehler gefunden\?",
)

# Headings that open a reader-comments section (whole line, case-insensitive, in several
# languages); the section runs to the end of the text.
DEFAULT_COMMENT_HEADINGS: tuple[str, ...] = (
    "comments",
    "comment",
    "reader comments",
    "readers' comments",
    "leave a comment",
    "leave a reply",
    "add a comment",
    "post a comment",
    "join the conversation",
    "join the discussion",
    "show comments",
    "view comments",
    "comments are closed",
    "comentar",
    "comentarios",
    "comentários",
    "deja un comentario",
    "kommentare",
    "kommentar",
    "kommentieren",
    "commentaires",
    "commentaire",
    "laisser un commentaire",
    "commenti",
    "commenta",
    "reacties",
    "komentarze",
    "komentáře",
    "yorumlar",
    "комментарии",
    "коментарі",
    "评论",
    "コメント",
    "댓글",
    "التعليقات",
)

# Text that reads like a caption: a trailing "Month D, YYYY" date (the wire caption style),
# an embedded agency credit, or picture-describing phrases.
DEFAULT_CAPTION_PATTERNS: tuple[str, ...] = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2},\s+\d{4}\W*$",
    r"\(\s*(?:ap|afp|reuters|epa|getty|pa)\b[^)]*\)\s*$",
    r"\((?:photo|picture|image)s?\b[^)]*\)",
    r"\b(?:in this (?:file )?(?:photo|picture|image)|file photo|pictured|seen here)\b",
    r"\((?:left|right|centre|center|front|back|top|bottom)\)",
)

# Sentence-final punctuation in the scripts the corpus carries (Latin, CJK, Arabic, Devanagari).
_SENTENCE_END = ".!?…。！？؟।"
_CLOSERS = "\"')]}»›"
_BARE_CREDITS = frozenset(
    {"file photo", "file picture", "file image", "handout photo", "pool photo"}
)


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """Settings for `clean_paragraphs`; the defaults suit English news."""

    teaser_prefixes: tuple[str, ...] = DEFAULT_TEASER_PREFIXES
    teaser_lines: tuple[str, ...] = DEFAULT_TEASER_LINES
    teaser_patterns: tuple[str, ...] = DEFAULT_TEASER_PATTERNS
    max_teaser_words: int = 40  # a teaser is a link line, not a paragraph of prose
    credit_agencies: tuple[str, ...] = DEFAULT_CREDIT_AGENCIES
    credit_words: tuple[str, ...] = DEFAULT_CREDIT_WORDS
    credit_prefixes: tuple[str, ...] = DEFAULT_CREDIT_PREFIXES
    max_credit_words: int = 12
    caption_patterns: tuple[str, ...] = DEFAULT_CAPTION_PATTERNS
    near_duplicate_ratio: float = 0.92  # difflib ratio above which two paragraphs are one
    min_near_duplicate_chars: int = 40  # short lines must repeat exactly to count
    min_duplicate_chars: int = 40  # short repeated lines are table rows or Q&A, not copies
    trailing_max_words: int = 4
    trailing_max_chars: int = 40  # CJK has no spaces: bound the length too
    trailing_max_paragraphs: int = 1  # two short lines after prose may be a small table
    caption_in_body: bool = True  # keep a repeated caption's first copy in the body
    comment_headings: tuple[str, ...] = DEFAULT_COMMENT_HEADINGS
    comments_min_position: float = 0.5  # a comments heading counts only past this share of text


@dataclass(frozen=True, slots=True)
class CleanResult:
    """Body paragraphs kept, captions taken out, and every dropped paragraph with its rule."""

    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """The clean body, paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


# --- compiled configuration ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Regexes and sets built once per `CleanConfig`."""

    teaser_re: re.Pattern[str]  # prefixes with a separator: "READ MORE:", "Related >>"
    call_re: re.Pattern[str]  # word prefixes, calls to action: "Sign up", "Click here"
    teaser_lines: frozenset[str]
    notice_re: re.Pattern[str]  # `teaser_patterns`
    agency_re: re.Pattern[str]
    credit_words: frozenset[str]
    credit_prefix_re: re.Pattern[str]
    caption_res: tuple[re.Pattern[str], ...]
    comment_headings: frozenset[str]  # casefolded


def _phrase_pattern(phrase: str) -> str:
    """Regex for a phrase: words separated by any whitespace, case left to the flags."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _prefix_pattern(prefix: str) -> str:
    """Regex for a line prefix; a trailing ':' stands for any of the usual separators."""
    prefix = prefix.strip()
    if prefix.endswith(":"):
        return _phrase_pattern(prefix[:-1]) + r"\s*(?::|-|–|—|\||>+|»)"
    if prefix[-1].isalnum():
        return _phrase_pattern(prefix) + r"\b"
    return _phrase_pattern(prefix)


@lru_cache(maxsize=16)
def _compile(config: CleanConfig) -> _Compiled:
    """Build the regexes of a configuration (cached: configs are frozen and hashable)."""
    prefixes = [p.strip() for p in config.teaser_prefixes if p.strip()]
    teaser = "|".join(_prefix_pattern(p) for p in prefixes if not p[-1].isalnum())
    call = "|".join(_prefix_pattern(p) for p in prefixes if p[-1].isalnum())
    # Longest agency names first so "Getty Images" wins over "Getty".
    agencies = sorted((a for a in config.credit_agencies if a.strip()), key=len, reverse=True)
    agency = "|".join(_phrase_pattern(a) for a in agencies)
    credit_prefix = "|".join(_prefix_pattern(p) for p in config.credit_prefixes if p.strip())
    return _Compiled(
        teaser_re=re.compile(rf"^(?:{teaser or '(?!)'})", re.IGNORECASE),
        call_re=re.compile(rf"^(?:{call or '(?!)'})", re.IGNORECASE),
        teaser_lines=frozenset(_bare(line) for line in config.teaser_lines),
        notice_re=re.compile("|".join(f"(?:{p})" for p in config.teaser_patterns) or "(?!)", re.I),
        agency_re=re.compile(rf"(?<!\w)(?:{agency or '(?!)'})(?!\w)", re.IGNORECASE),
        credit_words=frozenset(w.casefold() for w in config.credit_words),
        credit_prefix_re=re.compile(rf"^(?:{credit_prefix or '(?!)'})", re.IGNORECASE),
        caption_res=tuple(re.compile(p, re.IGNORECASE) for p in config.caption_patterns),
        comment_headings=frozenset(h.casefold() for h in config.comment_headings),
    )


# --- paragraph tests -----------------------------------------------------------------------


def _bare(text: str) -> str:
    """Casefolded text without surrounding punctuation or spaces, for whole-line lookups."""
    return " ".join(text.casefold().split()).strip(" \t.,:;!?-–—|>»<«*•·()[]\"'")


def _word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def _ends_sentence(text: str) -> bool:
    """True when the text ends with sentence punctuation, closing quotes or brackets aside."""
    core = text.rstrip(_CLOSERS + " ")
    return bool(core) and core[-1] in _SENTENCE_END


def _several_sentences(text: str) -> bool:
    """True for text holding a sentence break ("Word. Word"); initials ("J. Smith") do not count."""
    return re.search(r"\w{3,}[.!?]\s+[A-Z]", text) is not None


def _has_sentence_punctuation(text: str) -> bool:
    """True for text that is (or holds) a sentence rather than a label or credit line."""
    if _ends_sentence(text) or text.rstrip().endswith(":"):
        return True
    # "Word. Word" inside the text: two sentences. Initials and abbreviations ("J. Smith",
    # "U.S.") have one or two letters before the dot, so they do not count.
    return _several_sentences(text)


def is_teaser(text: str, config: CleanConfig = CleanConfig()) -> bool:
    """True for a link line: "READ MORE: ...", "Sign up ...", "Advertisement" alone."""
    return _is_teaser(text, _bare(text), _word_count(text), config, _compile(config))


def _is_teaser(text: str, bare: str, words: int, config: CleanConfig, compiled: _Compiled) -> bool:
    """`is_teaser`, given the text's `_bare` form and its word count."""
    if bare in compiled.teaser_lines:
        return True
    if words > config.max_teaser_words:
        return False
    if compiled.teaser_re.match(text) or compiled.notice_re.search(text):
        return True
    # "Sign up ..." is a call to action on one line, but a paragraph of several sentences that
    # happens to open with those words is prose ("Sign up sheets went up on Monday. ...").
    return bool(compiled.call_re.match(text)) and not _several_sentences(text)


def _is_agency_credit(text: str, compiled: _Compiled) -> bool:
    """True when the text holds an agency name and otherwise only credit words/separators."""
    if not compiled.agency_re.search(text):
        return False
    rest = compiled.agency_re.sub(" ", text)
    words = re.findall(r"[^\W_]+", rest)
    return all(w.casefold() in compiled.credit_words for w in words)


def _is_name_slash_agency(text: str, compiled: _Compiled) -> bool:
    """True for "Jane Doe/Reuters", "Jane Doe/AFP via Getty Images" or "AP Photo/Jane Doe"."""
    if "/" not in text:
        return False
    head, _, tail = text.rpartition("/")
    tail = re.split(r"\s+via\s+", tail, flags=re.IGNORECASE)[0]
    for agency, name in ((tail, head), (head, tail)):
        words = name.split()
        if (
            _is_agency_credit(agency, compiled)
            and 1 <= len(words) <= 5
            and all(w[:1].isupper() or w[:1].isdigit() for w in words if w[:1].isalpha())
        ):
            return True
    return False


def is_photo_credit(text: str, config: CleanConfig = CleanConfig()) -> bool:
    """True for a short line that is only a credit: "AP", "Photo: X", "(Photo by X/Getty)"."""
    text = text.strip()
    return _is_photo_credit(text, _word_count(text), config, _compile(config))


def _is_photo_credit(text: str, words: int, config: CleanConfig, compiled: _Compiled) -> bool:
    """`is_photo_credit` of a stripped text, given its word count."""
    if not text or words > config.max_credit_words:
        return False
    # One closing full stop is common on credits ("Reuters."); more than that is prose.
    body = text[:-1].rstrip() if text.endswith(".") else text
    if not body or _has_sentence_punctuation(body):
        return False
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
    if compiled.credit_prefix_re.match(body):
        return True
    if body.casefold() in _BARE_CREDITS:
        return True
    return _is_agency_credit(body, compiled) or _is_name_slash_agency(body, compiled)


def reads_like_caption(text: str, config: CleanConfig = CleanConfig()) -> bool:
    """True when the text has a caption's marks: trailing wire date, embedded credit, 'pictured'."""
    return _reads_like_caption(text, _compile(config))


def _reads_like_caption(text: str, compiled: _Compiled) -> bool:
    """`reads_like_caption` with the configuration's regexes at hand."""
    return any(p.search(text) for p in compiled.caption_res)


_TRAILING_PARENS_RE = re.compile(r"\(([^()]*)\)\s*$")


def _dup_key(text: str, compiled: _Compiled) -> str:
    """Comparison key: casefolded words, a trailing "(AP Photo/X)" style credit dropped."""
    match = _TRAILING_PARENS_RE.search(text) if ")" in text else None
    if match and (
        _is_agency_credit(match.group(1), compiled)
        or _is_name_slash_agency(match.group(1), compiled)
        or compiled.credit_prefix_re.match(match.group(1))
    ):
        text = text[: match.start()]
    return key_words(text)


def _near_same(a: str, b: str, config: CleanConfig) -> bool:
    """True when two keys are the same text give or take a few characters. difflib's ratio never
    beats the length ratio nor the longest common subsequence's (rapidfuzz's Indel, in C)."""
    if a == b:
        return True
    shorter, longer = (len(a), len(b)) if len(a) <= len(b) else (len(b), len(a))
    r = config.near_duplicate_ratio
    if shorter < config.min_near_duplicate_chars or shorter / longer < r:
        return False
    if Indel.normalized_similarity(a, b) < r - 1e-9:  # (a margin for rounding)
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= r and matcher.quick_ratio() >= r and matcher.ratio() >= r


# --- the cleaner ---------------------------------------------------------------------------


def clean_paragraphs(paragraphs: Sequence[str], config: CleanConfig = CleanConfig()) -> CleanResult:
    """Apply the cleaning rules to paragraphs; every real paragraph stays, in order."""
    compiled = _compile(config)
    texts = [normalize_text(p).replace("\n", " ") for p in paragraphs]
    n = len(texts)
    drop: dict[int, str] = {}  # paragraph index -> rule that removed it
    bares: dict[int, str] = {}  # `_bare` of every non-empty paragraph

    for i, text in enumerate(texts):
        if not text:
            drop[i] = "empty"
            continue
        bares[i] = bare = _bare(text)
        words = _word_count(text)
        # (`texts` are normalised, hence stripped, as `is_photo_credit` wants them)
        if _is_teaser(text, bare, words, config, compiled):
            drop[i] = "teaser"
        elif _is_photo_credit(text, words, config, compiled):
            drop[i] = "photo_credit"

    # Group repeated paragraphs (exact or near-exact) under their first occurrence.
    keys = {i: _dup_key(texts[i], compiled) for i in range(n) if i not in drop}
    groups: dict[int, list[int]] = {}
    for i, key in keys.items():
        if not key:
            continue
        for first, members in groups.items():
            if _near_same(keys[first], key, config):
                members.append(i)
                break
        else:
            groups[i] = [i]

    captions: list[tuple[int, str]] = []
    for first, members in groups.items():
        if len(members) < 2:
            continue
        next_to_credit = any(
            drop.get(j) == "photo_credit" for m in members for j in (m - 1, m + 1) if 0 <= j < n
        )
        if next_to_credit or any(_reads_like_caption(texts[m], compiled) for m in members):
            # The first copy stays in the body by default: captions often hold the only long
            # form of a name ("European Union" for a text that says "EU") and the article's
            # date; the other copies go. `captions` lists it either way.
            for m in members[1:] if config.caption_in_body else members:
                drop[m] = "caption"
            captions.append((first, texts[first]))
            continue
        # Not a caption: only exact repeats of something long enough to matter are dropped;
        # near-repeats of prose may be a correction or a quote repeated on purpose.
        if len(texts[first]) >= config.min_duplicate_chars:
            for m in members[1:]:
                if keys[m] == keys[first]:
                    drop[m] = "duplicate"

    # Comments: from a comments heading in the second half of the text to the end. The half is
    # measured on what stays (paragraphs the rules above dropped and short fragments left out),
    # so that cleaning the clean text again decides the same: cleaning is idempotent.
    weight = {
        i: len(t) for i, t in enumerate(texts) if i not in drop and not _is_trailing_junk(t, config)
    }
    total = sum(weight.values()) or 1
    seen = 0
    for i in range(n):
        if (
            i not in drop
            and seen / total >= config.comments_min_position
            and bares[i].casefold() in compiled.comment_headings
        ):
            for j in range(i, n):
                drop.setdefault(j, "comments")
            break
        seen += weight.get(i, 0)

    # Trailing junk: the run of short fragments at the very end, dropped only when prose comes
    # right before it. A longer run, or one after a list line, is a table (line-ups, fixtures,
    # award lists) and stays; short subheadings in the middle are never looked at.
    kept = [i for i in range(n) if i not in drop]
    run: list[int] = []
    for i in reversed(kept):
        if not _is_trailing_junk(texts[i], config):
            break
        run.append(i)
    before = kept[len(kept) - len(run) - 1] if len(run) < len(kept) else None
    if run and len(run) <= config.trailing_max_paragraphs and before is not None:
        if _is_prose(texts[before]):
            for i in run:
                drop[i] = "trailing_junk"

    return CleanResult(
        paragraphs=tuple(texts[i] for i in range(n) if i not in drop),
        captions=tuple(text for _, text in sorted(captions)),
        removed=tuple((drop[i], texts[i] or paragraphs[i]) for i in sorted(drop)),
    )


def _is_trailing_junk(text: str, config: CleanConfig) -> bool:
    """True for a short fragment with no sentence punctuation (a question is content)."""
    return (
        len(text) <= config.trailing_max_chars
        and _word_count(text) <= config.trailing_max_words
        and not _ends_sentence(text)
        and "?" not in text
    )


def _is_prose(text: str) -> bool:
    """True for a full sentence of running text, as opposed to a list line or a label."""
    words = _word_count(text)
    long_enough = words >= 6 or (words < 3 and len(text) >= 40)  # scripts without spaces
    # Line-ups and name lists end with a full stop too; they have a separator every few words.
    separators = text.count(",") + text.count(";")
    return _ends_sentence(text) and long_enough and separators * 4 < max(words, 4)


def clean_text(text: str, config: CleanConfig = CleanConfig()) -> CleanResult:
    """Split a body into paragraphs (one per non-empty line) and clean them."""
    return clean_paragraphs(split_paragraphs(text), config)
