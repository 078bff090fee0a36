#!/usr/bin/env python
"""Page weight (issue #16): what a first visit to a page transfers, asset by asset.

For each page: the HTML as Django sends it (not compressed: the portal does not compress
HTML itself, which keeps BREACH away from pages holding a CSRF token; a proxy may do better),
and every stylesheet, script, image and font it loads, at the size WhiteNoise serves them in
production, Brotli-compressed (the ``.br`` files ``collectstatic`` writes), or as they are for
formats that are already compressed (PNG, WOFF2). Fonts count only when the page uses them
(an icon font when the page shows an icon). Prints a table; asserts nothing (the budget test
is tests/portal/test_page_weight.py).

    .venv/bin/python bench/page_weight.py                 # the default pages
    .venv/bin/python bench/page_weight.py / /khieu-nai/gui/
"""

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# WhiteNoise compresses text formats; the rest it serves as they are.
COMPRESSED_TYPES = (".css", ".js", ".svg", ".webmanifest", ".json", ".txt", ".html")
PAGES = (
    "/",
    "/khieu-nai/gui/",
    "/canh-bao/",
    "/van-ban/",
    "/doanh-nghiep/",
    "/khieu-nai/thong-ke/",
    "/en/",
)
BUDGET = 120 * 1024

_LINKS = re.compile(
    r'<(?:link[^>]+rel="(?:stylesheet|icon|manifest)"[^>]*href|script[^>]+src|img[^>]+src)="([^"]+)"'
)
_CSS_URL = re.compile(r'url\("?([^")?#]+)')


@dataclass
class Weight:
    path: str
    html: int = 0
    assets: dict = field(default_factory=dict)  # static path -> bytes transferred
    raw: int = 0  # the same, uncompressed

    @property
    def total(self):
        return self.html + sum(self.assets.values())


def _data(relative):
    from django.contrib.staticfiles import finders

    found = finders.find(relative)
    if not found:
        raise FileNotFoundError(relative)
    return Path(found).read_bytes()


def transferred(relative):
    """Bytes WhiteNoise sends for the static file ``relative``."""
    import brotli

    data = _data(relative)
    if relative.endswith(COMPRESSED_TYPES):
        return len(brotli.compress(data))
    return len(data)


def _static_path(url):
    from django.conf import settings

    url = url.split("?")[0].split("#")[0]
    return url[len(settings.STATIC_URL) :] if url.startswith(settings.STATIC_URL) else None


def weigh(client, path):
    """The :class:`Weight` of ``path`` fetched with the Django test ``client``."""
    response = client.get(path, follow=True)  # the filing form starts with a redirect
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    html = response.content.decode()
    weight = Weight(path, html=len(response.content), raw=len(response.content))
    for url in _LINKS.findall(html):
        relative = _static_path(url)
        if relative is None or relative in weight.assets:
            continue
        weight.assets[relative] = transferred(relative)
        weight.raw += len(_data(relative))
        if relative.endswith(".css"):
            _fonts_of(relative, html, weight)
    return weight


def _fonts_of(stylesheet, html, weight):
    from django.contrib.staticfiles import finders

    text = Path(finders.find(stylesheet)).read_text(encoding="utf-8")
    uses_icons = 'class="bi ' in html or " bi-" in html
    base = stylesheet.rsplit("/", 1)[0]
    for url in _CSS_URL.findall(text):
        if not url.endswith(".woff2") or url.startswith("data:"):
            continue
        if "bootstrap-icons" in stylesheet and not uses_icons:
            continue
        relative = os.path.normpath(f"{base}/{url}")
        if relative not in weight.assets:
            weight.assets[relative] = transferred(relative)
            weight.raw += len(_data(relative))


def report(weights):
    lines = [
        "| page | HTML | CSS | JS | fonts | images | transferred | uncompressed | budget 120 KB |"
    ]
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for w in weights:
        kinds = {"css": 0, "js": 0, "fonts": 0, "images": 0}
        for name, size in w.assets.items():
            key = (
                "css"
                if name.endswith(".css")
                else "js"
                if name.endswith(".js")
                else "fonts"
                if name.endswith((".woff2", ".woff"))
                else "images"
            )
            kinds[key] += size
        cells = [w.html, kinds["css"], kinds["js"], kinds["fonts"], kinds["images"], w.total, w.raw]
        shown = " | ".join(f"{c / 1024:.1f} KB" for c in cells)
        verdict = "within" if w.total <= BUDGET else "OVER"
        lines.append(f"| `{w.path}` | {shown} | {verdict} |")
    return "\n".join(lines)


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    paths = (argv if argv is not None else sys.argv[1:]) or PAGES
    client = Client()
    print(report([weigh(client, path) for path in paths]))


if __name__ == "__main__":
    main()
