"""PDF rendering with WeasyPrint, Vietnamese fonts shipped in ``static/fonts``.

Templates extend ``pdf/base.html``, which declares the fonts with ``@font-face`` from the
files on disk so that they are embedded whatever fonts the machine has.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def render_pdf(template_name, context, language="vi"):
    """Render ``template_name`` to PDF bytes."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, {"font_dir": FONT_DIR.as_uri(), **context})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
