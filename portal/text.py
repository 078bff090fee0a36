"""Vietnamese text: NFC storage, folding for search and slugs (DESIGN.md §6).

``fold`` is the one function every search and every slug in the portal goes through.
"""

import re
import unicodedata

# Unicode decomposition leaves đ/Đ alone (it is a letter of its own, not d + a mark).
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value):
    """Return ``value`` in NFC, the form all stored text is kept in."""
    if value is None:
        return value
    return unicodedata.normalize("NFC", str(value))


def fold(value):
    """Lower-case, strip every diacritic (đ → d included) and collapse white space.

    Old and new tone placement fold to the same string ("hoà" and "hòa" → "hoa"), and so do
    decomposed and precomposed input.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFD", str(value).translate(_EXTRA))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_EXTRA).casefold()
    return _SPACES.sub(" ", text).strip()


def slugify_vi(value, max_length=80):
    """A URL slug from Vietnamese text: ``"Đắk Lắk"`` → ``"dak-lak"``."""
    slug = _NON_WORD.sub("-", fold(value)).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


def search_terms(query, max_terms=12, max_length=200):
    """Split a user's query into folded terms, bounded so a huge query stays cheap."""
    folded = fold((query or "")[:max_length])
    terms = [t for t in _NON_WORD.split(folded) if t]
    return terms[:max_terms]


def build_search_text(*parts):
    """The folded copy of a row's searchable text, stored beside it."""
    return fold(" ".join(str(p) for p in parts if p))


def csv_safe(value):
    """A CSV cell that spreadsheet software will not run as a formula: user-written text
    (business names, titles) starting with = + - @ is prefixed with an apostrophe."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # a number, negative or not, is data, never a formula
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
