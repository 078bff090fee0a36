"""PDFs: always rendered by a Celery task and stored, served by one download path.

A model that has a PDF subclasses ``StoredPdf`` and says what to render:

- ``content_version``: a number that changes whenever what the PDF shows changes;
- ``pdf_template`` and ``pdf_context()``: the template (extending ``pdf/base.html``, which
  embeds the Vietnamese fonts of ``static/fonts``) and its context;
- ``pdf_filename()``: the name of the stored file (stored under a random name anyway);
- ``pdf_download_name()``: the name a reader's browser saves it under, meaningful and
  ASCII (``pdf_name``), e.g. ``bao-cao-2026-ha-noi.pdf``.

A view that has scope-checked the row returns ``pdf_response(request, row)``: the stored
file when it is current, otherwise the render is queued (``render_stored_pdf``, once per
row and version) and a "being prepared" page refreshes itself until the file is there.
"""

from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation

from .files import PrivateUploadTo, private_storage, serve_private_file
from .text import slugify_vi

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
# How often the "being prepared" page asks again, in seconds.
PENDING_REFRESH_SECONDS = 3
# A render queued but lost (a worker that died) is queued again after this long.
QUEUE_AGAIN_SECONDS = 60


def pdf_name(*parts):
    """``bao-cao-2026-ha-noi.pdf`` from ``("bao cao", 2026, "Hà Nội")``: ASCII, so that
    every browser and mail client keeps the name as it is. Each part is shortened on its
    own, so a long business name never cuts the year after it."""
    slugs = [slugify_vi(str(part), max_length=60) for part in parts if part not in (None, "")]
    return f"{'-'.join(slug for slug in slugs if slug) or 'tai-lieu'}.pdf"


def official_date(value):
    """Day, month and year as Nghị định 30/2020/NĐ-CP (Phụ lục I) writes them in the
    place-and-date line: a day below 10 and the months 1 and 2 with a leading zero
    ("ngày 05 tháng 02 năm 2026", "ngày 14 tháng 12 năm 2026")."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return {"day": f"{value.day:02d}", "month": month, "year": value.year}


def render_pdf(template_name, context, language="vi"):
    """Render ``template_name`` to PDF bytes (in a task: see ``StoredPdf``)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, {"font_dir": FONT_DIR.as_uri(), **context})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


class StoredPdf(models.Model):
    pdf_template = None
    pdf_language = "vi"

    pdf = models.FileField(
        storage=private_storage,
        upload_to=PrivateUploadTo("pdf"),
        max_length=200,
        blank=True,
        editable=False,
    )
    pdf_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    @property
    def content_version(self):
        raise NotImplementedError

    def pdf_context(self):
        raise NotImplementedError

    def pdf_filename(self):
        return f"{self._meta.model_name}-{self.pk}.pdf"

    def pdf_download_name(self):
        """What the file downloads as: models say what a reader looks for in the name."""
        return pdf_name(self._meta.model_name, self.pk)

    @property
    def pdf_is_current(self):
        return bool(self.pdf) and self.pdf_version == self.content_version

    def store_pdf(self):
        """Render and store the PDF of the current content (the task calls this)."""
        version = self.content_version
        content = render_pdf(self.pdf_template, self.pdf_context(), self.pdf_language)
        old_name = self.pdf.name if self.pdf else None
        self.pdf.save(self.pdf_filename(), ContentFile(content), save=False)
        self.pdf_version = version
        type(self).objects.filter(pk=self.pk).update(pdf=self.pdf.name, pdf_version=version)
        if old_name:
            # Only once the row points at the new file: a rollback keeps the old one.
            storage = self.pdf.storage
            transaction.on_commit(lambda: storage.delete(old_name))
        return self


def queue_render(row):
    """Queue the render of ``row``'s PDF after the current transaction commits, once per
    row and content version a minute (the pending page asks again every few seconds)."""
    from .jobs import enqueue
    from .tasks import render_stored_pdf

    key = f"pdf-queued:{row._meta.label}:{row.pk}:{row.content_version}"
    if cache.add(key, 1, QUEUE_AGAIN_SECONDS):
        enqueue(render_stored_pdf, row._meta.label, row.pk)


def pdf_response(request, row, *, back_url=None):
    """The download of ``row``'s PDF for a view that has already scope-checked ``row``."""
    if not row.pdf_is_current:
        queue_render(row)
        row.refresh_from_db()
    if row.pdf_is_current:
        return serve_private_file(row.pdf, row.pdf_download_name())
    response = render(
        request,
        "portal/pdf_pending.html",
        {"row": row, "back_url": back_url, "refresh_seconds": PENDING_REFRESH_SECONDS},
        status=202,
    )
    response["Cache-Control"] = "no-store"
    return response
