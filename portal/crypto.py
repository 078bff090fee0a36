"""Personal data encrypted at rest, and found again by a keyed hash (issue #17).

One mechanism for the portal:

- :class:`EncryptedTextField` keeps a value as a Fernet token (AES-128-CBC with an
  HMAC-SHA256 tag, ``cryptography``'s ``MultiFernet``) under ``PERSONAL_DATA_KEYS``: the first
  key encrypts, every key decrypts, so keys rotate without downtime (put a new key first, run
  ``manage.py rotate_personal_data_keys``, then drop the old key). The database, its backups
  and the history table hold only tokens. The empty string stays empty, so whether a value is
  present is visible (the ``complaint_has_contact`` constraint and "has a phone" checks need
  it); the length of a value is roughly visible too.
- A token is different each time the same value is written, so nothing can be looked up by
  it: :func:`keyed_hash` (HMAC-SHA256 under ``PERSONAL_DATA_HASH_KEY``, a separate key) of the
  *normalised* value is stored beside it, and exact lookups (tracking by contact, staff search
  by phone or e-mail) compare hashes. Without the hash key the hashes cannot be tested
  against guessed phone numbers.
- Lookups on the encrypted column other than "is it empty" raise, so that nobody filters on
  tokens by mistake (which would silently find nothing).
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, GreaterThan

from .validators import phone_key


class UnreadablePersonalData(Exception):
    """A stored token no key in ``PERSONAL_DATA_KEYS`` opens."""


def encryption_keys():
    return tuple(settings.PERSONAL_DATA_KEYS)


@functools.lru_cache(maxsize=16)
def _fernet(key):
    return Fernet(key)


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys):
    return MultiFernet([_fernet(key) for key in keys])


def fernet():
    """The keys of the settings, built once per set of keys (tests override them)."""
    return _multi_fernet(encryption_keys())


def encrypt(value):
    if not value:
        return value
    return fernet().encrypt(str(value).encode()).decode()


def decrypt(token):
    if not token:
        return token
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadablePersonalData(
            "A personal-data value cannot be decrypted: PERSONAL_DATA_KEYS does not hold the "
            "key it was encrypted with (keep the old key after the new one until "
            "`manage.py rotate_personal_data_keys` has run)."
        ) from None


def rotate(token):
    """``token`` re-encrypted under the first key; one already under it is returned as it
    is, so that a rotation run again (or resumed) rewrites nothing twice."""
    if not token:
        return token
    try:
        _fernet(encryption_keys()[0]).decrypt(token.encode())
        return token
    except InvalidToken:
        pass
    decrypt(token)  # no key opens it: the clear message
    return fernet().rotate(token.encode()).decode()


def _hash_key_bytes(key):
    return base64.urlsafe_b64decode(key.encode())


def keyed_hash(normalised, key=None):
    """HMAC-SHA256 of an already normalised value, hex; empty for an empty value."""
    if not normalised:
        return ""
    key = key or settings.PERSONAL_DATA_HASH_KEY
    return hmac.new(_hash_key_bytes(key), normalised.encode(), hashlib.sha256).hexdigest()


def normalise_phone(value):
    return phone_key(value)


def normalise_email(value):
    value = (value or "").strip().casefold()
    return value if "@" in value else ""


def phone_hash(value, key=None):
    return keyed_hash(normalise_phone(value), key)


def email_hash(value, key=None):
    return keyed_hash(normalise_email(value), key)


def candidate_hashes(hasher, value):
    """The hashes of ``value`` under the current hash key and the old ones still accepted
    (``PERSONAL_DATA_OLD_HASH_KEYS``, during a switch of the hash key): a lookup matches
    any, so rows not yet rehashed are found too."""
    keys = [settings.PERSONAL_DATA_HASH_KEY, *getattr(settings, "PERSONAL_DATA_OLD_HASH_KEYS", ())]
    hashes = [hasher(value, key) for key in keys]
    return [h for h in dict.fromkeys(hashes) if h]


class _EmptyOnly:
    """Comparing a token with anything but the empty string means nothing: refuse."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.output_field.name} is encrypted: it can only be compared with the "
                "empty string; look values up by their keyed hash (portal.crypto)."
            )
        return super().get_prep_lookup()


class EmptyExact(_EmptyOnly, Exact):
    pass


class NotEmpty(_EmptyOnly, GreaterThan):
    pass


ALLOWED_LOOKUPS = {"exact": EmptyExact, "gt": NotEmpty}


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token of its value (see the module's docstring).
    ``max_length`` limits the value typed in forms, not the (longer) token."""

    description = "Text encrypted at rest"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name in ALLOWED_LOOKUPS:
            return ALLOWED_LOOKUPS[lookup_name]
        raise FieldError(
            f"{self.name} is encrypted: the lookup {lookup_name!r} would compare tokens; look "
            "values up by their keyed hash (portal.crypto)."
        )

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.name} is encrypted: no transform {lookup_name!r} on it.")

    def formfield(self, **kwargs):
        # One line in the admin, like the CharField it replaces.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})
