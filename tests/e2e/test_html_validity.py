"""Valid HTML (issue #16, item 7): the pages of tests/e2e/test_accessibility.py, rendered
through the test client, go through the Nu HTML checker (vnu.jar, installed by .ci/run from
the npm registry into .ci/node) in one JVM start. Any error not in the committed baseline
(tests/e2e/a11y/known_html_errors.json: page → message → reason) fails, and so does a
baseline entry that no longer occurs. Skipped when the jar or Java is missing, unless
VNU_REQUIRED=1 (as in CI)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import login
from tests.e2e.a11y.pages import (
    expected_status,
    load_baseline,
    public_pages,
    ratchet,
    role_pages,
)

pytestmark = pytest.mark.django_db

VNU = Path(
    os.environ.get("VNU_JAR")
    or Path(__file__).resolve().parents[2] / ".ci/node/node_modules/vnu-jar/build/dist/vnu.jar"
)


@pytest.fixture
def vnu():
    java = shutil.which("java")
    if not (java and VNU.exists()):
        if os.environ.get("VNU_REQUIRED"):
            pytest.fail(f"VNU_REQUIRED is set but java or {VNU} is missing")
        pytest.skip("the Nu HTML checker is not installed (.ci/run installs it)")

    def check(directory):
        """{file name: set of error messages} for every .html file in ``directory``."""
        files = sorted(str(path) for path in Path(directory).glob("*.html"))
        done = subprocess.run(
            [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
        found = {Path(f).name: set() for f in files}
        for message in json.loads(done.stderr or '{"messages": []}')["messages"]:
            name = Path(message.get("url", "")).name
            # The bad value itself (a timestamp, an id) varies from run to run.
            text = re.sub(r"Bad value “[^”]*”", "Bad value “…”", message["message"])
            found.setdefault(name, set()).add(text)
        return found

    return check


def save(client, path, directory, key):
    response = client.get(path, follow=True)
    assert response.status_code == expected_status(path), path
    assert "/login/" not in response.request["PATH_INFO"] or path.endswith("/login/"), path
    (directory / f"{key}.html").write_bytes(response.content)


def test_no_page_has_an_html_error_outside_the_baseline(vnu, client, tmp_path, checked_site):
    data, users = checked_site
    for name, path in public_pages(data):
        save(client, path, tmp_path, f"public:{name}")
    for role, pages in role_pages(data).items():
        login(client, users[role])
        for name, path in pages:
            save(client, path, tmp_path, f"{role}:{name}")
        client.logout()

    found = {name.removesuffix(".html"): messages for name, messages in vnu(tmp_path).items()}
    new, gone = ratchet(found, load_baseline("known_html_errors.json"))
    assert not new, "New HTML errors:\n" + json.dumps(new, ensure_ascii=False, indent=1)
    assert not gone, f"Fixed: remove from tests/e2e/a11y/known_html_errors.json: {gone}"


def test_the_checker_reports_an_error(vnu, tmp_path):
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="vi"><head><title>x</title></head>'
        '<body><p id="a">1</p><p id="a">2</p><time datetime="10/03/2027">x</time></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "good.html").write_text(
        '<!DOCTYPE html><html lang="vi"><head><title>x</title></head><body><p>1</p></body></html>',
        encoding="utf-8",
    )
    found = vnu(tmp_path)
    assert found["good.html"] == set()
    assert any("Duplicate ID" in message for message in found["bad.html"]), found
    assert any("datetime" in message for message in found["bad.html"]), found
