"""Criteria sets as files: parse JSON or YAML, validate every field (reporting each error
with its YAML line or JSON path), export back to the same format."""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml
from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.errors import InvalidInput

KINDS = ("screening", "yes_no", "plan_evidence")
STATUSES = ("draft", "active", "retired")
ORIGINS = ("official", "portal")
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class FileError:
    path: tuple
    message: str
    line: int | None = None

    @property
    def json_path(self):
        out = "$"
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out

    @property
    def where(self):
        if self.line is not None:
            return _("line %(line)s") % {"line": self.line}
        return self.json_path

    def __str__(self):
        return f"{self.where}: {self.message}"


class CriteriaFileError(InvalidInput):
    """Every error of a criteria set file, each with its line or path (``errors``)."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__([str(e) for e in self.errors], code="criteria_file")

    def __str__(self):
        return "; ".join(str(e) for e in self.errors)


def _yaml_lines(text):
    """Map each path in a YAML document to the line (1-based) where its value starts."""
    lines = {}

    def walk(node, path):
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, path + (key.value,))
                lines[path + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, path + (index,))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _line_for(lines, path):
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


def detect_format(name, text):
    name = (name or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith(("{", "[")) else "yaml"


def parse(text, fmt):
    """Parse and validate. Returns the data; raises CriteriaFileError with every error."""
    lines = {}
    try:
        if fmt == "json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
            lines = _yaml_lines(text)
    except json.JSONDecodeError as exc:
        raise CriteriaFileError(
            [FileError((), _("Not valid JSON: %(error)s") % {"error": exc.msg}, exc.lineno)]
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CriteriaFileError(
            [
                FileError(
                    (),
                    _("Not valid YAML: %(error)s") % {"error": problem},
                    mark.line + 1 if mark else None,
                )
            ]
        ) from exc
    errors = validate(data)
    if errors:
        raise CriteriaFileError(
            FileError(e.path, e.message, _line_for(lines, e.path) if lines else None)
            for e in errors
        )
    return data


def _is_text(value):
    return isinstance(value, str) and value.strip() != ""


def _check_points(value, path, errors, label):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FileError(path, _("%(field)s must be a whole number.") % {"field": label}))
    elif value < 0:
        errors.append(FileError(path, _("%(field)s cannot be negative.") % {"field": label}))


def _check_percent(value, path, errors):
    if value is None:
        return
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(FileError(path, _("A percentage must be a number from 0 to 100.")))
        return
    if isinstance(value, bool) or not (0 <= number <= 100):
        errors.append(FileError(path, _("A percentage must be a number from 0 to 100.")))


def _check_sources(value, path, errors):
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(FileError(path, _("Sources must be a text or a list of texts.")))


def _as_list(value, key, message, errors):
    """``value`` when it is a list (None: empty); otherwise an error and an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FileError((key,), message))
        return []
    return value


def _objects(items, key, message, errors):
    """``(path, item)`` for each object of a list; anything else is an error."""
    for index, item in enumerate(items):
        path = (key, index)
        if isinstance(item, dict):
            yield path, item
        else:
            errors.append(FileError(path, message))


def _check_bool(item, key, path, errors):
    if key in item and not isinstance(item[key], bool):
        errors.append(FileError(path + (key,), _("Must be true or false.")))


def validate(data):
    """Every error in the file, each with the path of the value at fault."""
    errors = []
    if not isinstance(data, dict):
        return [FileError((), _("The file must describe one criteria set (an object)."))]
    for key in ("code", "title"):
        if not _is_text(data.get(key)):
            errors.append(FileError((key,), _("This field is required.")))
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        errors.append(FileError(("version",), _("The version must be a whole number from 1.")))
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        errors.append(FileError(("year",), _("The year must be a whole number.")))
    if data.get("status", "draft") not in STATUSES:
        errors.append(FileError(("status",), _("Unknown status; use draft, active or retired.")))
    if data.get("origin", "official") not in ORIGINS:
        errors.append(FileError(("origin",), _("Unknown origin; use official or portal.")))
    for key in ("practice", "incomplete"):
        _check_bool(data, key, (), errors)
    _check_percent(data.get("pass_min_percent"), ("pass_min_percent",), errors)
    _check_sources(data.get("source"), ("source",), errors)

    bands = _as_list(data.get("bands") or [], "bands", _("Bands must be a list."), errors)
    band_codes = set()
    for path, band in _objects(bands, "bands", _("A band must be an object."), errors):
        for key in ("code", "label"):
            if not _is_text(band.get(key)):
                errors.append(FileError(path + (key,), _("This field is required.")))
        if band.get("code") in band_codes:
            errors.append(
                FileError(
                    path + ("code",),
                    _("Band code %(code)s is used twice.") % {"code": band.get("code")},
                )
            )
        band_codes.add(band.get("code"))
        if band.get("min_percent") is None:
            errors.append(FileError(path + ("min_percent",), _("This field is required.")))
        _check_percent(band.get("min_percent"), path + ("min_percent",), errors)

    groups = _as_list(data.get("groups"), "groups", _("Groups must be a list."), errors)
    if not groups and not data.get("incomplete"):
        errors.append(
            FileError(
                ("groups",),
                _("A set needs at least one group, unless it is marked incomplete."),
            )
        )
    group_codes = set()
    for path, group in _objects(groups, "groups", _("A group must be an object."), errors):
        code = group.get("code")
        if not _is_text(str(code) if code is not None else ""):
            errors.append(FileError(path + ("code",), _("This field is required.")))
        elif str(code) in group_codes:
            errors.append(
                FileError(
                    path + ("code",), _("Group code %(code)s is used twice.") % {"code": code}
                )
            )
        else:
            group_codes.add(str(code))
        if not _is_text(group.get("title")):
            errors.append(FileError(path + ("title",), _("This field is required.")))
        _check_points(group.get("points"), path + ("points",), errors, _("Points"))
        _check_bool(group, "incomplete", path, errors)
        _check_sources(group.get("source"), path + ("source",), errors)

    criteria = _as_list(data.get("criteria"), "criteria", _("Criteria must be a list."), errors)
    criterion_codes = set()
    for path, item in _objects(criteria, "criteria", _("A criterion must be an object."), errors):
        code = item.get("code")
        if code is None or not str(code).strip():
            errors.append(FileError(path + ("code",), _("This field is required.")))
        elif str(code) in criterion_codes:
            errors.append(
                FileError(
                    path + ("code",),
                    _("Criterion code %(code)s is used twice.") % {"code": code},
                )
            )
        else:
            criterion_codes.add(str(code))
        group = item.get("group")
        if group is None or str(group) == "":
            errors.append(FileError(path + ("group",), _("This field is required.")))
        elif str(group) not in group_codes:
            errors.append(
                FileError(
                    path + ("group",),
                    _("Group %(code)s is not defined under groups.") % {"code": group},
                )
            )
        if not _is_text(item.get("text")):
            errors.append(FileError(path + ("text",), _("This field is required.")))
        kind = item.get("kind", "yes_no")
        if kind not in KINDS:
            errors.append(
                FileError(
                    path + ("kind",),
                    _("Unknown kind; use screening, yes_no or plan_evidence."),
                )
            )
        _check_points(item.get("points"), path + ("points",), errors, _("Points"))
        if kind == "screening" and item.get("points"):
            errors.append(
                FileError(path + ("points",), _("A screening criterion carries no points."))
            )
        for key in ("evidence_required", "incomplete"):
            _check_bool(item, key, path, errors)
        _check_sources(item.get("source"), path + ("source",), errors)
    return errors


def _sources(value):
    if not value:
        return ""
    if isinstance(value, str):
        return value.strip()
    return "\n".join(v.strip() for v in value)


def normalise(data):
    """Validated file data → plain values for the models."""
    return {
        "set": {
            "code": data["code"].strip(),
            "version": data.get("version", 1),
            "title": data["title"].strip(),
            "title_en": (data.get("title_en") or "").strip(),
            "description": (data.get("description") or "").strip(),
            "sector_code": data.get("sector") or None,
            "year": data.get("year"),
            "status": data.get("status", "draft"),
            "origin": data.get("origin", "official"),
            "is_practice": bool(data.get("practice", False)),
            "is_incomplete": bool(data.get("incomplete", False)),
            "pass_min_percent": (
                Decimal(str(data["pass_min_percent"]))
                if data.get("pass_min_percent") is not None
                else None
            ),
            "source": _sources(data.get("source")),
            "note": (data.get("note") or "").strip(),
        },
        "bands": [
            {
                "code": b["code"],
                "label": b["label"],
                "label_en": b.get("label_en") or "",
                "min_percent": Decimal(str(b["min_percent"])),
            }
            for b in data.get("bands") or []
        ],
        "groups": [
            {
                "code": str(g["code"]),
                "order": order,
                "title": g["title"],
                "description": g.get("description") or "",
                "points": g.get("points"),
                "is_incomplete": bool(g.get("incomplete", False)),
                "source": _sources(g.get("source")),
                "note": g.get("note") or "",
            }
            for order, g in enumerate(data.get("groups") or [], start=1)
        ],
        "criteria": [
            {
                "code": str(c["code"]),
                "group_code": str(c["group"]),
                "order": order,
                "text": c["text"],
                "guidance": c.get("guidance") or "",
                "kind": c.get("kind", "yes_no"),
                "points": c.get("points"),
                "evidence_required": bool(c.get("evidence_required", False)),
                "legal_basis": c.get("legal_basis") or "",
                "source": _sources(c.get("source")),
                "is_incomplete": bool(c.get("incomplete", False)),
            }
            for order, c in enumerate(data.get("criteria") or [], start=1)
        ],
    }


def _source_out(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines


def export_data(criteria_set):
    """A criteria set as plain data in the import format (round-trips through parse)."""
    groups = list(criteria_set.groups.order_by("order", "pk"))
    criteria = list(
        criteria_set.criteria.select_related("group").order_by("group__order", "order", "pk")
    )
    data = {
        "code": criteria_set.code,
        "version": criteria_set.version,
        "title": criteria_set.title,
        "title_en": criteria_set.title_en,
        "description": criteria_set.description,
        "sector": criteria_set.sector.code if criteria_set.sector_id else None,
        "year": criteria_set.year,
        "status": criteria_set.status,
        "origin": criteria_set.origin,
        "practice": criteria_set.is_practice,
        "incomplete": criteria_set.is_incomplete,
        "pass_min_percent": (
            float(criteria_set.pass_min_percent)
            if criteria_set.pass_min_percent is not None
            else None
        ),
        "source": _source_out(criteria_set.source),
        "note": criteria_set.note,
        "bands": [
            {
                "code": b.code,
                "label": b.label,
                "label_en": b.label_en,
                "min_percent": float(b.min_percent),
            }
            for b in criteria_set.bands.all()
        ],
        "groups": [
            {
                "code": g.code,
                "title": g.title,
                "description": g.description,
                "points": g.points,
                "incomplete": g.is_incomplete,
                "source": _source_out(g.source),
                "note": g.note,
            }
            for g in groups
        ],
        "criteria": [
            {
                "code": c.code,
                "group": c.group.code,
                "text": c.text,
                "guidance": c.guidance,
                "kind": c.kind,
                "points": c.points,
                "evidence_required": c.evidence_required,
                "legal_basis": c.legal_basis,
                "source": _source_out(c.source),
                "incomplete": c.is_incomplete,
            }
            for c in criteria
        ],
    }
    return data


def dumps(data, fmt):
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def download(criteria_set, fmt):
    """The set as a file to download, ``<code>-v<version>.json|yaml`` (site and admin)."""
    body = dumps(export_data(criteria_set), fmt)
    response = HttpResponse(body, content_type=f"application/{fmt}; charset=utf-8")
    name = f"{criteria_set.code}-v{criteria_set.version}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
