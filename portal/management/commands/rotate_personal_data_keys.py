"""Re-encrypt every encrypted column under the first key of ``PERSONAL_DATA_KEYS`` and
recompute the keyed hashes under ``PERSONAL_DATA_HASH_KEY`` (portal/crypto.py), in the live
tables and in their history.

Rotating the encryption key: put the new key first (``PERSONAL_DATA_KEYS=new,old``), deploy,
run this command, then drop the old key. Rotating the hash key: set the new
``PERSONAL_DATA_HASH_KEY`` with the old one in ``PERSONAL_DATA_OLD_HASH_KEYS`` (lookups match
either meanwhile), deploy, run this command, then drop the old one.

Rows are read and written with SQL, not saved through the models: a rotation is no change
of the case (no history row, no new ``updated_at``). Each batch commits on its own and rows
already under the current keys are left alone, so the command may be stopped and run again:
it resumes, and a second run rewrites nothing.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from portal import crypto


def keyed_hashes(model):
    """{hash column: (encrypted field, hasher)} a model declares (``keyed_hashes``); a
    history model answers with its model's."""
    declared = getattr(model, "keyed_hashes", None)
    if declared is None:
        declared = getattr(getattr(model, "instance_type", None), "keyed_hashes", None)
    return declared or {}


def encrypted_models():
    for model in apps.get_models():
        encrypted = [
            f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)
        ]
        if encrypted:
            yield model, encrypted


def rotate_table(model, encrypted, batch_size):
    """Rewrite the rows of ``model`` not yet under the current keys; the number rewritten."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk.column
    hashes = {
        model._meta.get_field(name).column: (model._meta.get_field(source).column, hasher)
        for name, (source, hasher) in keyed_hashes(model).items()
    }
    columns = [f.column for f in encrypted] + list(hashes)
    select = ", ".join(quote(c) for c in (pk, *columns))
    rewritten, last = 0, None
    while True:
        where, params = ("", []) if last is None else (f"WHERE {quote(pk)} > %s", [last])
        with transaction.atomic(), connection.cursor() as cursor:
            # Locked until the batch commits: a correction or an erasure made meanwhile
            # waits, instead of being overwritten with the values read here.
            lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
            cursor.execute(
                # Names come from the models' metadata, values are parameters.
                f"SELECT {select} FROM {table} {where} ORDER BY {quote(pk)} LIMIT %s{lock}",  # noqa: S608
                [*params, batch_size],
            )
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            changes = []
            for row in rows:
                old = dict(zip(columns, row[1:], strict=True))
                new = {c: crypto.rotate(old[c]) for c in columns if c not in hashes}
                for column, (source, hasher) in hashes.items():
                    new[column] = hasher(crypto.decrypt(old[source]))
                if any(new[c] != old[c] for c in new):
                    changes.append([*new.values(), row[0]])
            if changes:
                assignments = ", ".join(f"{quote(c)} = %s" for c in new)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                    changes,
                )
            rewritten += len(changes)
            last = rows[-1][0]


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the first PERSONAL_DATA_KEYS key and recompute its "
        "keyed hashes (idempotent, resumable)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        for model, encrypted in encrypted_models():
            rewritten = rotate_table(model, encrypted, batch_size)
            self.stdout.write(f"{model._meta.db_table}: {rewritten} rows rewritten.")
