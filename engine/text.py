"""Two rules for text, each in one place (a ground-floor module: it imports nothing of the engine).

``normalise`` is how text is compared: a keyword, a name or a generic name is looked for in the
text as a person reads it, so zero-width and other format characters cannot hide a word
(``商\\u200b城`` is ``商城``), and compatibility forms (full-width letters, ideographic spaces)
compare as their plain forms. Facts and a pack's text values both pass through it, once.

``neutralise`` is what may reach a person: text shown on a terminal or in a page loses control
characters (C0 but tab and newline, DEL, C1, so no ESC/CSI/OSC sequence), bidirectional
controls (which reorder what a reader sees, U+202E) and lone surrogates. Every human-facing
output (checklists, explain, diff, error messages) goes through it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# Chinese is written without spaces between words: a space between two ideographs is layout (or
# an attempt to split a keyword), never meaning.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"


# The two patterns below are compiled on first use: Python's re builds the character sets of
# their wide ranges (bidi controls and surrogates, the CJK blocks) in 5-12 ms each, a tenth of a
# cold `check`, which needs neither unless a text has a space to fold or something to print.
@lru_cache(maxsize=1)
def _unsafe() -> re.Pattern[str]:
    # Bidi controls: ALM, LRM/RLM, LRE…RLO, LRI…PDI; with C0/C1/DEL and lone surrogates.
    return re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@lru_cache(maxsize=1)
def _space_in_chinese() -> re.Pattern[str]:
    return re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def neutralise(text: str) -> str:
    """``text`` without the characters that could control a terminal or reorder what is shown."""
    return _unsafe().sub("", text)


@lru_cache(maxsize=65536)  # names and keywords repeat across rules, items and batch lines
def normalise(text: str) -> str:
    """NFKC, format characters (Cf: zero-width spaces and joiners, bidi marks, soft hyphens) dropped,
    every run of white space (ideographic space included) one ASCII space, none between two
    Chinese characters, trimmed."""
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        return text  # the common case: nothing to fold
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    folded = _SPACES.sub(" ", folded)
    return (_space_in_chinese().sub("", folded) if " " in folded else folded).strip()


def first_surrogate(text: str) -> int:
    """The offset of the first lone surrogate in ``text`` (which UTF-8 cannot carry), else -1."""
    if text.isascii():
        return -1
    try:  # strict UTF-8 refuses exactly the surrogate code points, and says where the first is
        text.encode("utf-8")
    except UnicodeEncodeError as refused:
        return refused.start
    return -1


@lru_cache(maxsize=1)
def number_shapes() -> re.Pattern[str]:
    """What looks like a personal or unit number: an ID number (15 or 18 characters), a unified
    social credit code, or a passport or permit number (one or two letters, 7 to 10 digits)."""
    return re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"
                      r"|[A-Za-z]{1,2}\d{7,10})(?![0-9A-Za-z])")


def mask_numbers(text: str) -> str:
    """``text`` with everything in it shaped like a personal number masked (``mask``)."""
    return number_shapes().sub(lambda m: mask(m.group(0)), text)


def mask(number: object) -> str:
    """A personal number with at most a third of it shown, whatever its kind: the first and last
    sixth of its characters (an 18-character ID shows 3 and 3; a 9-character passport 1 and 1;
    anything under 6 characters, nothing)."""
    if number is None or number == "":
        return ""
    text = str(number)
    shown = len(text) // 6
    if not shown:
        return "*" * len(text)
    return text[:shown] + "*" * (len(text) - 2 * shown) + text[-shown:]
