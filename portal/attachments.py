"""The one shape of an uploaded file attached to a record (a complaint's evidence, a
self-assessment's proof, a legal document's signed copy, a report's annex).

A part's attachment model subclasses ``Attachment``, adds the foreign key to its record, and
says in class attributes where files go and what they may be; the file is content-checked
(``portal.files``) and its name, type and size are recorded when it is first saved.
"""

import os

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import user_fk
from .files import (
    KINDS,
    PrivateUploadTo,
    private_storage,
    serve_private_file,
    sniff,
    validate_upload,
)
from .text import nfc


def attachment_upload_to(instance, filename):
    return PrivateUploadTo(instance.upload_prefix)(instance, filename)


def validate_attachment(fieldfile):
    """Field validator: the kinds and size limit of the attachment's model."""
    instance = getattr(fieldfile, "instance", None)
    if instance is None or getattr(fieldfile, "_committed", True):
        return
    validate_upload(fieldfile, KINDS[instance.upload_kinds], instance.max_upload_bytes)


class Attachment(models.Model):
    # Set by each subclass.
    upload_prefix = "attachments"
    upload_kinds = "documents"
    max_upload_bytes = 10 * 1024 * 1024

    file = models.FileField(
        _("file"),
        upload_to=attachment_upload_to,
        storage=private_storage,
        max_length=200,
        validators=[validate_attachment],
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(
        pgettext_lazy("file", "type"), max_length=120, blank=True, editable=False
    )
    size = models.PositiveIntegerField(_("size"), default=0, editable=False)
    uploaded_by = user_fk(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name or os.path.basename(self.file.name or "")

    def save(self, *args, **kwargs):
        upload = self.file
        if upload and not getattr(upload, "_committed", True):
            # A new file: record what it is before the storage names it (with the
            # extension of this type: portal.files.stored_extension).
            name = self.original_name or os.path.basename(upload.name or "")
            self.original_name = nfc(name)[:255]  # a Mac sends names decomposed
            self.size = upload.size
            self.content_type = sniff(upload) or ""
        super().save(*args, **kwargs)

    def response(self, inline=False):
        """The file as a download, for a view that has already scope-checked the record."""
        return serve_private_file(
            self.file, self.original_name, inline=inline, content_type=self.content_type
        )
