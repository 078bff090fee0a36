"""Lighter pages (issue #16): only the icons the portal uses are shipped, and the home page
and the filing form stay within 120 KB transferred on a first visit (bench/page_weight.py
measures every page; this is the budget)."""

import pytest
from django.core.management import CommandError, call_command

from bench import page_weight
from portal.management.commands import subset_icons

pytestmark = pytest.mark.django_db

BUDGET = 120 * 1024


def test_every_icon_used_is_shipped_and_nothing_else(capsys):
    call_command("subset_icons", "--check")
    table = subset_icons.icon_table()
    used = subset_icons.used_icons(table)
    assert "megaphone" in used and len(used) < 200  # the navigation's own, and a subset
    shipped = subset_icons.shipped_codepoints()
    assert shipped == {table[name] for name in used}


def test_check_fails_when_a_template_uses_an_icon_not_shipped(monkeypatch):
    table = subset_icons.icon_table()
    monkeypatch.setattr(subset_icons, "used_icons", lambda _table: ["megaphone", "rocket-takeoff"])
    assert table["rocket-takeoff"]
    with pytest.raises(CommandError, match="rocket-takeoff"):
        call_command("subset_icons", "--check")


@pytest.mark.parametrize("path", ["/", "/khieu-nai/gui/", "/en/"])
def test_first_visit_is_within_the_budget(client, reference_data, path):
    weight = page_weight.weigh(client, path)
    assert "vendor/bootstrap/bootstrap.min.css" in weight.assets
    assert "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2" in weight.assets
    assert weight.assets["vendor/bootstrap-icons/fonts/bootstrap-icons.woff2"] < 20 * 1024
    assert weight.total <= BUDGET, page_weight.report([weight])


def test_static_files_are_served_brotli_compressed_in_production(settings):
    # WhiteNoise writes a .br beside each text file at collectstatic when Brotli is there.
    from whitenoise.compress import Compressor

    assert Compressor(use_gzip=True, use_brotli=True).use_brotli
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    assert storage in (
        "django.contrib.staticfiles.storage.StaticFilesStorage",  # development
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    )
