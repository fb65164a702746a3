"""Text helpers for triage: normalisation, language detection and sentiment, all offline."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Final

import nh3

if TYPE_CHECKING:
    from lingua import LanguageDetector
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Rules read the opening of a message; bounding the text keeps 200 regexes under a few ms
# even on a 64 KiB body.
MAX_RULE_TEXT: Final = 20_000
MIN_LANGUAGE_CONFIDENCE: Final = 0.5
MIN_LANGUAGE_LETTERS: Final = 12
# ISO 639-1 codes of the languages detected; each costs about 2 MB in low-accuracy mode.
LANGUAGES: Final = ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "ar", "he", "ja", "zh", "ru")

_HTML_HINT = re.compile(r"<(html|body|div|p|br|table|span|a|font)\b[^>]*>", re.IGNORECASE)
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_HIDDEN = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]")


def looks_like_html(text: str) -> bool:
    return _HTML_HINT.search(text[:5000]) is not None


def strip_html(text: str) -> str:
    """Return the visible text of an HTML body, one line per block."""
    text = _HIDDEN.sub(" ", text)
    text = _BLOCK_TAGS.sub("\n", text)
    return html.unescape(nh3.clean(text, tags=set()))


def normalise(text: str) -> str:
    """Return NFC text without markup, control characters or runs of blank space."""
    if looks_like_html(text):
        text = strip_html(text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def rule_text(subject: str, body: str) -> str:
    """Return what text conditions test: subject and body, casefolded, bounded."""
    return f"{subject}\n{body}"[:MAX_RULE_TEXT].casefold()


@cache
def _detector() -> LanguageDetector:
    # Loaded on first use only, and in low-accuracy mode: high accuracy costs ~230 MB.
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_low_accuracy_mode()
        .build()
    )


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the text's language, or "" when unsure."""
    sample = text[:2000]
    if sum(ch.isalpha() for ch in sample) < MIN_LANGUAGE_LETTERS:
        return ""
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_LANGUAGE_CONFIDENCE:
        return ""
    return values[0].language.iso_code_639_1.name.lower()


@cache
def _analyser() -> SentimentIntensityAnalyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float | None:
    """Return VADER's compound score in [-1, 1], or None for text with no words."""
    sample = text[:5000]
    if not any(ch.isalpha() for ch in sample):
        return None
    return float(_analyser().polarity_scores(sample)["compound"])


def trend(scores: list[float]) -> float:
    """Return how the sentiment moved: the latest score minus the mean of the earlier ones."""
    if len(scores) < 2:
        return 0.0
    earlier = scores[:-1]
    return round(scores[-1] - sum(earlier) / len(earlier), 3)


@lru_cache(maxsize=32)
def normalised_ticket_text(subject: str, description: str) -> tuple[str, str, str]:
    """
    Return the normalised subject and description and their rule text. Cached: intake asks
    in its first stage and again when the rules' facts are built.
    """
    subject, body = normalise(subject), normalise(description)
    return subject, body, rule_text(subject, body)


def ticket_text_facts(ticket: Any) -> dict[str, str]:
    """Give every rule the normalised text that triage's own rules match against."""
    return {"triage.text": normalised_ticket_text(ticket.subject, ticket.description)[2]}
