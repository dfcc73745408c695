"""'Did you mean …?' suggestions, kept in one place so every message suggests alike."""

from __future__ import annotations

from collections.abc import Iterable


def closest(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name``, or None when nothing is reasonably close."""
    import difflib  # only a mistake needs a suggestion: a clean run never loads it

    text = str(name)
    pool = [str(c) for c in candidates]
    match = difflib.get_close_matches(text, pool, n=1, cutoff=0.6)
    if match:
        return match[0]
    # Only the case wrong (GUANGDONG): difflib scores that 0, so compare case-insensitively.
    lowered = {c.lower(): c for c in pool}
    if text.lower() in lowered:
        return lowered[text.lower()]
    return None
