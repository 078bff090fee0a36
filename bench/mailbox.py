"""The benchmark's mail: written to files under bench/out, never delivered.

The production profile refuses Django's own backends that do not deliver (console, file,
memory, dummy) so that a real deployment cannot lose mail by a missing setting; the
benchmark runs the production shape on purpose and names this backend instead.
"""

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class EmailBackend(FileEmailBackend):
    pass
