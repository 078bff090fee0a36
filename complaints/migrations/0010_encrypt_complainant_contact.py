"""Encrypt the complainants' contact data at rest and find it by keyed hash (issue #17).

The columns become text holding Fernet tokens (portal.crypto). The rows already there, in
the complaint table and its history, are converted in batches with raw SQL: the migration
state's field would try to decrypt the plaintext it reads. Their hashes are filled and the
phone and e-mail leave ``search_text``. A value that is already a token is decrypted first,
so a run that was interrupted can be run again. Reversible: the reverse writes plaintext
back (with the keys that encrypted it).
"""

import django.core.validators
from django.db import migrations, models

import portal.crypto
import portal.validators
from portal import crypto
from portal.search import search_column

BATCH_SIZE = 500
CONTACT = ("complainant_phone", "complainant_email", "complainant_address")
# The parts of Complaint.search_text, in the order Complaint.save() writes them.
SEARCH_PARTS = (
    "code",
    "complainant_name",
    "business_name",
    "business_tax_code",
    "description",
    "request",
)


def plaintext(value):
    """``value`` as typed: a token (from an earlier, interrupted run) is opened."""
    if value and value.startswith("gAAAAA"):
        try:
            return crypto.decrypt(value)
        except crypto.UnreadablePersonalData:
            pass
    return value or ""


def _batches(connection, table, pk, columns):
    quote = connection.ops.quote_name
    select = ", ".join(quote(c) for c in (pk, *columns))
    last = None
    while True:
        where, params = ("", []) if last is None else (f" WHERE {quote(pk)} > %s", [last])
        with connection.cursor() as cursor:
            cursor.execute(
                # Table and column names are constants of this module.
                f"SELECT {select} FROM {quote(table)}{where} ORDER BY {quote(pk)} LIMIT %s",  # noqa: S608
                [*params, BATCH_SIZE],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(connection, table, pk, columns, values):
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
            values,
        )


def convert(connection, table, pk, *, live, forward):
    read = CONTACT + (SEARCH_PARTS if live else ())
    written = CONTACT + ("complainant_phone_hash", "complainant_email_hash")
    written += ("search_text",) if live else ()
    for rows in _batches(connection, table, pk, read):
        values = []
        for row in rows:
            phone, email, address = (plaintext(v) for v in row[1:4])
            parts = dict(zip(SEARCH_PARTS, row[4:], strict=False))
            if forward:
                new = [crypto.encrypt(phone), crypto.encrypt(email), crypto.encrypt(address)]
                new += [crypto.phone_hash(phone), crypto.email_hash(email)]
                contact_parts = ()
            else:
                new = [phone, email, address, "", ""]
                contact_parts = (email, phone)
            if live:
                new.append(
                    search_column(
                        parts["code"],
                        parts["complainant_name"],
                        *contact_parts,
                        parts["business_name"],
                        parts["business_tax_code"],
                        parts["description"],
                        parts["request"],
                    )
                )
            values.append([*new, row[0]])
        _update(connection, table, pk, written, values)


def encrypt_rows(apps, schema_editor):
    connection = schema_editor.connection
    convert(connection, "complaints_complaint", "id", live=True, forward=True)
    convert(connection, "complaints_historicalcomplaint", "history_id", live=False, forward=True)


def decrypt_rows(apps, schema_editor):
    connection = schema_editor.connection
    convert(connection, "complaints_complaint", "id", live=True, forward=False)
    convert(connection, "complaints_historicalcomplaint", "history_id", live=False, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0009_blank_unsafe_access_log_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="complainant_email_hash",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AddField(
            model_name="complaint",
            name="complainant_phone_hash",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="complainant_email_hash",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="complainant_phone_hash",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=64
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="complainant_address",
            field=portal.crypto.EncryptedTextField(
                blank=True, max_length=255, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="complainant_email",
            field=portal.crypto.EncryptedTextField(
                blank=True,
                max_length=254,
                validators=[django.core.validators.EmailValidator()],
                verbose_name="e-mail",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="complainant_phone",
            field=portal.crypto.EncryptedTextField(
                blank=True,
                max_length=20,
                validators=[portal.validators.PhoneValidator()],
                verbose_name="phone",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomplaint",
            name="complainant_address",
            field=portal.crypto.EncryptedTextField(
                blank=True, max_length=255, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomplaint",
            name="complainant_email",
            field=portal.crypto.EncryptedTextField(
                blank=True,
                max_length=254,
                validators=[django.core.validators.EmailValidator()],
                verbose_name="e-mail",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcomplaint",
            name="complainant_phone",
            field=portal.crypto.EncryptedTextField(
                blank=True,
                max_length=20,
                validators=[portal.validators.PhoneValidator()],
                verbose_name="phone",
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
