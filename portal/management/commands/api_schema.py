"""Write the API's OpenAPI schema, and allauth headless's, to files committed in docs/api/, so
that a change of the API shows in review; ``--check`` fails when a committed file is out of
date (tests/api/test_schema_file.py runs it).

    .venv/bin/python manage.py api_schema            # regenerate docs/api/*.json
    .venv/bin/python manage.py api_schema --check    # exit 1 with a diff when they differ
"""

import difflib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

DEFAULT_OUTPUT = Path("docs") / "api" / "openapi-v1.json"
ALLAUTH_NAME = "allauth-headless.json"
# Enough lines of the diff to see what changed without flooding CI's log.
DIFF_LINES = 60


def api_schema():
    """The schema ``/api/v1/openapi.json`` serves to ``Accept-Language: en``."""
    from portal.api import api

    with translation.override("en"):
        return plain(api.get_openapi_schema())


def allauth_schema():
    """The specification allauth serves at ``/_allauth/openapi.json``."""
    from allauth.headless.spec.internal.schema import get_schema

    with translation.override("en"):
        return plain(get_schema())


def plain(schema):
    """The schema with its lazy strings resolved in the active language (so inside the
    override, not when written) and with string keys only (ninja's status codes are
    integers, the core's extra ones strings)."""
    return json.loads(json.dumps(schema, cls=DjangoJSONEncoder))


def render(schema):
    """Stable text: keys sorted, two spaces, UTF-8 as it is, a trailing newline."""
    return json.dumps(plain(schema), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def outputs(output):
    """``{path: text}`` of both schemas, allauth's beside the API's."""
    path = Path(output)
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    return {path: render(api_schema()), path.with_name(ALLAUTH_NAME): render(allauth_schema())}


class Command(BaseCommand):
    help = "Write (or --check) the OpenAPI schemas of the API v1 and of allauth headless."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="the API's file")
        parser.add_argument(
            "--check", action="store_true", help="compare instead of writing; exit 1 on change"
        )

    def handle(self, *args, output, check, **options):
        stale = []
        for path, text in outputs(output).items():
            if check:
                current = path.read_text(encoding="utf-8") if path.exists() else ""
                if current != text:
                    stale.append(path)
                    self.stderr.write(diff(path, current, text))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
        if stale:
            names = ", ".join(str(p) for p in stale)
            raise CommandError(
                f"out of date: {names}; run `.venv/bin/python manage.py api_schema` and commit"
            )


def diff(path, current, text):
    lines = list(
        difflib.unified_diff(
            current.splitlines(),
            text.splitlines(),
            f"{path} (committed)",
            f"{path} (generated)",
            lineterm="",
        )
    )
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... {len(lines) - DIFF_LINES} more lines"]
    return "\n".join(lines)
