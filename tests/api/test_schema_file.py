"""The committed API contract (docs/api/, written by ``manage.py api_schema``): up to date with
the code, so that a change of the API shows in review, valid OpenAPI, and the same schema the
API serves."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openapi_spec_validator import validate

from portal.management.commands import api_schema

DOCS = Path(settings.BASE_DIR) / "docs" / "api"
FILES = ("openapi-v1.json", api_schema.ALLAUTH_NAME)


def test_committed_schemas_are_up_to_date():
    # Fails after any change of an endpoint: regenerate with `manage.py api_schema`.
    call_command("api_schema", "--check")


@pytest.mark.parametrize("name", FILES)
def test_committed_schema_is_valid_openapi(name):
    text = (DOCS / name).read_text(encoding="utf-8")
    schema = json.loads(text)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    # Stable text: sorted keys, two spaces, one trailing newline.
    assert text == json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_generated_schema_is_the_one_the_api_serves_in_english(api, reference_data):
    served = api.get("/openapi.json", lang="en").json()
    generated = json.loads(api_schema.render(api_schema.api_schema()))
    assert served == generated
    assert all(path.startswith("/api/v1/") for path in generated["paths"])


def test_generated_allauth_schema_is_the_one_allauth_serves(api):
    served = api.get("/_allauth/openapi.json").json()
    assert served == json.loads(api_schema.render(api_schema.allauth_schema()))
    assert any(path.startswith("/_allauth/app/v1/auth/login") for path in served["paths"])


def test_every_operation_has_a_unique_id_and_documents_the_errors():
    schema = json.loads(api_schema.render(api_schema.api_schema()))
    ids = []
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            ids.append(operation["operationId"])
            responses = operation["responses"]
            assert {"400", "404", "414", "422", "429"} <= set(responses), operation["operationId"]
            assert "content" not in responses["414"]  # gunicorn answers it, without JSON
            if operation.get("security"):
                assert "401" in responses, operation["operationId"]
            if method != "get":
                assert "409" in responses, operation["operationId"]
    assert len(ids) == len(set(ids))


def test_check_shows_the_change_and_fails_when_a_file_is_stale(tmp_path, capsys):
    output = tmp_path / "openapi-v1.json"
    call_command("api_schema", "--output", str(output))
    first = output.read_text(encoding="utf-8")
    assert (tmp_path / api_schema.ALLAUTH_NAME).exists()
    call_command("api_schema", "--output", str(output), "--check")  # stable: no change

    output.write_text(first.replace('"title": "DNVNTD API"', '"title": "Old"'), "utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("api_schema", "--output", str(output), "--check")
    shown = capsys.readouterr().err
    assert '-    "title": "Old"' in shown
    assert '+    "title": "DNVNTD API"' in shown
    # --check never writes.
    assert '"title": "Old"' in output.read_text(encoding="utf-8")

    output.unlink()
    with pytest.raises(CommandError, match="out of date"):
        call_command("api_schema", "--output", str(output), "--check")


def test_no_two_schemas_share_a_name():
    # The schema's components are keyed by class name: two parts' different "EventOut"
    # classes would both point at whichever was written last, and clients would be told
    # the wrong shape.
    from ninja.constants import NOT_SET

    from portal.api import api

    seen = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = [(model, "validation") for model in operation.models]
                models += [
                    (model, "serialization")
                    for model in operation.response_models.values()
                    if model not in (None, NOT_SET)
                ]
                for model, mode in models:
                    schema = model.model_json_schema(
                        ref_template="#/components/schemas/{model}", mode=mode
                    )
                    for name, definition in schema.get("$defs", {}).items():
                        first = seen.setdefault((name, mode), definition)
                        assert first == definition, f"two schemas named {name}"


def _texts(node):
    """Every summary and description in a schema, the API's bilingual introduction aside."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield value
            elif key != "info":
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


# Words of nearly every Vietnamese sentence and of no English one (the names of laws, such as
# "Luật 19/2023/QH15", are Vietnamese in both schemas).
VIETNAMESE_WORDS = {"các", "của", "và", "một", "được", "không", "này", "cho", "trong"}


def test_english_schema_is_in_english_and_the_vietnamese_one_in_vietnamese(api):
    english = list(_texts(json.loads(api_schema.render(api_schema.api_schema()))))
    found = [text for text in english if VIETNAMESE_WORDS & set(text.lower().split())]
    assert not found, found[:5]
    # Operation summaries, parameters and pydantic fields alike.
    assert "Warnings for a barcode" in english
    assert "Page number, from 1." in english

    served = list(_texts(api.get("/openapi.json", lang="vi").json()))
    assert "Cảnh báo theo mã vạch" in served
    assert "Số trang, bắt đầu từ 1." in served
    assert len(served) == len(english)
