"""
An extractive summary of a long message: its few most telling sentences, in their order.

TF-IDF over the message's own sentences: a word the customer repeats scores high, unless it
is in nearly every sentence. Pure Python over a bounded text, so intake stays cheap (about a
millisecond on a long email, bounded on a huge one) and the web process needs no scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Final

# Shorter messages are read whole; a summary would only repeat them.
MIN_CHARS: Final = 600
MIN_SENTENCES: Final = 4
# Key sentences of a huge message are in its opening; reading more costs time, not insight.
MAX_TEXT: Final = 8_000
MAX_SENTENCES: Final = 3
MAX_SENTENCE_CHARS: Final = 300
MIN_WORDS: Final = 4
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f\u061f])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def sentences(text: str) -> list[tuple[str, list[str]]]:
    """Return (sentence, its casefolded words), leaving out quoted lines and short fragments."""
    found, seen = [], set()
    for part in _SENTENCE_END.split(text[:MAX_TEXT]):
        part = part.strip()
        key = part.casefold()
        if part.startswith(">") or key in seen:  # quoted history, or a repeated line
            continue
        seen.add(key)
        words = _WORD.findall(key)
        if len(words) >= MIN_WORDS:
            found.append((part, words))
    return found


def summarise(text: str, *, limit: int = MAX_SENTENCES) -> list[str]:
    """Return up to `limit` key sentences of a long text in reading order, or [] if short."""
    if len(text) < MIN_CHARS:
        return []
    parts = sentences(text)
    if len(parts) < MIN_SENTENCES:
        return []
    bags = [set(words) for _, words in parts]
    in_sentences = Counter(word for bag in bags for word in bag)
    in_text = Counter(word for _, words in parts for word in words)
    count = len(parts)
    weight = {word: (1.0 + math.log(in_text[word])) * math.log((1 + count) / (1 + df))
              for word, df in in_sentences.items()}
    scores = [sum(weight[word] for word in bag) / math.sqrt(len(bag)) for bag in bags]
    best = sorted(range(count), key=scores.__getitem__, reverse=True)[:limit]
    return [parts[index][0][:MAX_SENTENCE_CHARS] for index in sorted(best)]
