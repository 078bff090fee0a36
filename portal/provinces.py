"""Provinces as people write them: one answer for every form, filter and API that takes a
province (issue #15, item 7).

Since 01/7/2025 (Nghị quyết 202/2025/QH15; the new local governments work from that day)
there are 34 current units; the 63 former ones are kept inactive with their ``successor``.
An address that still says "tỉnh Bình Định" or "Long An" must still find its province:

- :func:`resolve` reads an id, a code, a slug or a name, current or former, with or without
  diacritics and with "tỉnh", "thành phố", "TP." in front, and answers
  ``(current province, former province or None)``;
- :class:`ProvinceField` is the form field: the 34 current units, then the former ones
  ("Bình Định (nay thuộc Gia Lai)"); it cleans to the current unit and keeps the former one
  for the note "Bình Định nay thuộc Gia Lai";
- :class:`ProvinceFilter` is the same for django-filter, and :class:`ProvinceNoteMixin`
  gives a FilterSet the note its list page shows.

The table (97 rows of reference data) is kept in the shared cache and dropped when a
province changes (``portal.apps``), so a public page that offers or resolves provinces runs
no query of its own; a field reads it at most once however often it draws, cleans or notes.
"""

import functools
import json
import re
import uuid
from pathlib import Path

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Province
from .text import fold

CACHE_KEY = "portal:province-directory:1"
CACHE_SECONDS = 3600
DATA = Path(__file__).resolve().parent / "data" / "provinces.json"

# What people write in front of (or after) the name; folded, as whole words.
_PREFIXES = (("thanh", "pho"), ("t", "p"), ("tp",), ("tinh",), ("t",), ("city", "of"))
_SUFFIXES = (("province",), ("city",))
_WORDS = re.compile(r"[0-9a-z]+")
_FIELDS = [f.attname for f in Province._meta.concrete_fields]


def _key(text):
    """The comparable form of a name: folded, without prefixes, punctuation or spaces
    ("TP. Hồ Chí Minh", "ho chi minh", "Hochiminh" → "hochiminh")."""
    words = _WORDS.findall(fold(text))
    for prefix in _PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            words = words[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if tuple(words[-len(suffix) :]) == suffix and len(words) > len(suffix):
            words = words[: -len(suffix)]
            break
    return "".join(words)


@functools.cache
def _aliases():
    with open(DATA, encoding="utf-8") as handle:
        return json.load(handle).get("aliases", {})


class Directory:
    """Every province, current and former, indexed by id, code, slug and name key."""

    def __init__(self, rows):
        rows = list(rows)
        self.rows = {row["id"]: row for row in rows}
        self.by_code = {row["code"]: row["id"] for row in rows if row["code"]}
        self.by_slug = {row["slug"]: row["id"] for row in rows}
        self.by_key = {}
        # Former units first, so that a name shared with a current unit ("Hà Nội") finds it.
        for row in sorted(rows, key=lambda r: r["is_active"]):
            for text in (row["name"], row["name_en"], row["full_name"]):
                if text and _key(text):
                    self.by_key[_key(text)] = row["id"]
        by_name = {row["name"]: row["id"] for row in rows if row["is_active"]}
        for alias, name in _aliases().items():
            if name in by_name:
                self.by_key[_key(alias)] = by_name[name]

    def province(self, pk):
        """A fresh instance each time: callers may cache related objects on it."""
        row = self.rows[pk]
        return Province.from_db("default", _FIELDS, [row[f] for f in _FIELDS])

    def find(self, value, key="pk"):
        """The id of the province ``value`` names, or None."""
        if isinstance(value, Province):
            return value.pk if value.pk in self.rows else None
        text = str(value).strip()[:200]
        if not text:
            return None
        if text.isascii() and text.isdigit():
            if key == "code":
                return self.by_code.get(text.zfill(2))
            pk = int(text)
            return pk if pk in self.rows else None
        if text in self.by_slug:
            return self.by_slug[text]
        return self.by_key.get(_key(text))

    def resolve(self, value, key="pk"):
        pk = self.find(value, key)
        if pk is None:
            return None
        row = self.rows[pk]
        if row["is_active"]:
            return self.province(pk), None
        successor = self.rows.get(row["successor_id"])
        if successor is None:
            return None
        former = None if row["name"] == successor["name"] else self.province(pk)
        return self.province(successor["id"]), former

    def current(self):
        return [row for row in self.rows.values() if row["is_active"]]

    def former(self):
        """The former units with a name of their own (a former "Hà Nội" is the current one)."""
        return [
            row
            for row in self.rows.values()
            if not row["is_active"]
            and row["successor_id"] in self.rows
            and row["name"] != self.rows[row["successor_id"]]["name"]
        ]


def _read_table():
    rows = list(Province.objects.order_by("pk").values(*_FIELDS))
    return {"token": uuid.uuid4().hex, "rows": rows}


_built = {}


def directory():
    """Every province, current and former, from the shared cache (one query when it is
    cold)."""
    payload = cache.get_or_set(CACHE_KEY, _read_table, CACHE_SECONDS)
    built = _built.get("directory")
    if built is None or built[0] != payload["token"]:
        # Built once per version of the table, not once per request.
        built = (payload["token"], Directory(payload["rows"]))
        _built["directory"] = built
    return built[1]


def forget(**kwargs):
    """Drop the cached directory: a province was added, changed or deleted."""
    cache.delete(CACHE_KEY)


def resolve(value, key="pk", book=None):
    """``(current province, former province or None)`` for an id, a code (``key="code"``),
    a slug or a name, current or former, diacritic-blind; None when nothing matches.

    The former province is given only when its name differs from its successor's: the
    former "Bắc Ninh" is simply the current one."""
    if value is None:
        return None
    return (book or directory()).resolve(value, key)


def _name(row):
    return Province.from_db("default", ["name", "name_en"], [row["name"], row["name_en"]])


def display_name(row):
    return _name(row).display_name


def note_for(current, former):
    """The visible note: "Bình Định nay thuộc Gia Lai" ("" when nothing was mapped)."""
    if former is None or current is None:
        return ""
    return gettext("%(former)s is now part of %(current)s") % {
        "former": former.display_name,
        "current": current.display_name,
    }


class ProvinceChoices(BaseChoiceIterator):
    """The options, read when the select is drawn: the current units, then the former ones
    under their old name ("Bình Định (nay thuộc Gia Lai)"). The widget gets them in two
    groups; ``field.choices`` gives them flat, for templates that draw their own options."""

    def __init__(self, field, grouped=True):
        self.field = field
        self.grouped = grouped

    def groups(self):
        field, book = self.field, self.field.book
        allowed = field.allowed_ids()
        current = [r for r in book.current() if allowed is None or r["id"] in allowed]
        current.sort(key=lambda r: fold(display_name(r)))
        groups = [
            (
                gettext("Current provinces and cities"),
                [(field.key_of(r), display_name(r)) for r in current],
            )
        ]
        former = []
        if field.show_former:
            former = [r for r in book.former() if allowed is None or r["successor_id"] in allowed]
            former.sort(key=lambda r: fold(display_name(r)))
        if former:
            label = gettext("%(former)s (now part of %(current)s)")
            groups.append(
                (
                    gettext("Provinces and cities before 1 July 2025"),
                    [
                        (
                            field.key_of(r),
                            label
                            % {
                                "former": display_name(r),
                                "current": display_name(book.rows[r["successor_id"]]),
                            },
                        )
                        for r in former
                    ],
                )
            )
        return groups

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group in self.groups():
            if self.grouped:
                yield group
            else:
                yield from group[1]

    def __len__(self):
        return len(list(iter(self)))

    def __bool__(self):
        return True


class _ProvinceBoundField(forms.BoundField):
    """Its help text is read when drawn, so that it carries the note of the cleaned value
    (a bound field otherwise copies it before the form is cleaned)."""

    @property
    def help_text(self):
        return self.field.help_text or ""

    @help_text.setter
    def help_text(self, value):
        pass


class ProvinceField(forms.ModelChoiceField):
    """A province chosen or typed, current or former, cleaned to the CURRENT unit.

    After cleaning, ``former`` is the former province that was chosen (or None) and
    ``note`` the sentence to show ("Bình Định nay thuộc Gia Lai"). ``to_field_name`` may be
    "code" (a former unit, which has none, is then offered by its slug). Setting
    ``queryset`` to some current units limits the choice to them and their former units."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a province or city we know: choose one from the list, "
            "where former provinces are listed under their old name."
        ),
    }
    iterator = ProvinceChoices

    def _get_choices(self):
        if hasattr(self, "_choices"):
            return self._choices
        return ProvinceChoices(self, grouped=False)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def __init__(self, *, queryset=None, to_field_name=None, former=True, **kwargs):
        kwargs.setdefault("label", _("Province or city"))
        kwargs.setdefault("empty_label", _("Choose a province or city"))
        self._former = None
        self.show_former = former
        self._limited = False
        super().__init__(Province.objects.current(), to_field_name=to_field_name, **kwargs)
        self.plain_help_text = self.help_text
        if queryset is not None:
            self.queryset = queryset

    def get_bound_field(self, form, field_name):
        return _ProvinceBoundField(form, self, field_name)

    @property
    def former(self):
        """The former province the cleaned value was chosen as, or None."""
        return self._former

    def _set_queryset(self, queryset):
        self._limited = hasattr(self, "_queryset")
        self._allowed = None
        self._queryset = None if queryset is None else queryset.all()
        self.widget.choices = ProvinceChoices(self, grouped=True)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def __deepcopy__(self, memo):
        limited = self._limited
        result = super().__deepcopy__(memo)
        result._limited = limited
        result._allowed = None
        result._former = None
        result._book = None
        return result

    @property
    def book(self):
        """The directory, read once per form (the form is made anew for each request)."""
        if getattr(self, "_book", None) is None:
            self._book = directory()
        return self._book

    def allowed_ids(self):
        """The current units that may be chosen, or None for all 34 (no query then)."""
        if not self._limited:
            return None
        if self._allowed is None:
            self._allowed = set(self.queryset.filter(is_active=True).values_list("pk", flat=True))
        return self._allowed

    def key_of(self, row):
        if self.to_field_name == "code":
            return row["code"] or row["slug"]
        return row["id"]

    def prepare_value(self, value):
        if isinstance(value, Province):
            return self.key_of({"id": value.pk, "code": value.code, "slug": value.slug})
        if value not in self.empty_values and not isinstance(value, (list, tuple)):
            # A typed name is shown as the option it chose.
            found = self.book.find(value, self.to_field_name or "pk")
            if found is not None:
                return self.key_of(self.book.rows[found])
        return super().prepare_value(value)

    def to_python(self, value):
        self._former = None
        self.help_text = self.plain_help_text
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        found = resolve(value, self.to_field_name or "pk", book=self.book)
        allowed = self.allowed_ids()
        if found is None or (allowed is not None and found[0].pk not in allowed):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:100]},
            )
        current, self._former = found
        if self._former is not None:
            # Shown under the field while the form is corrected: what the choice became.
            self.help_text = format_html_join(
                " ", "{}", ((text,) for text in (self.plain_help_text, self.note) if text)
            )
        return current

    @property
    def note(self):
        """The note for the cleaned value ("" unless a former province was chosen)."""
        if self._former is None:
            return ""
        book = self.book
        successor = book.rows.get(self._former.successor_id)
        return note_for(book.province(successor["id"]) if successor else None, self._former)


class ProvinceFilter(django_filters.Filter):
    """A public filter by province that takes a current or a former unit (by id, by code
    with ``to_field_name="code"``, or by name) and filters by the current one."""

    field_class = ProvinceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Province or city"))
        super().__init__(*args, **kwargs)


class ProvinceNoteMixin:
    """For a FilterSet with a :class:`ProvinceFilter`: ``province_note`` is the sentence its
    list page shows when a former province was chosen ("Long An nay thuộc Tây Ninh")."""

    @property
    def province_note(self):
        self.is_valid()
        notes = [
            field.note
            for field in self.form.fields.values()
            if isinstance(field, ProvinceField) and field.note
        ]
        return " ".join(notes)
