"""Load the real legal documents shipped in ``legaldocs/data/documents.json`` with their
relations and validity events. Idempotent: a second run changes nothing."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from legaldocs import services
from legaldocs.models import Document, IssuingBody, LegalField, normalize_number
from portal.models import Province
from portal.text import nfc

DATA = Path(__file__).resolve().parents[2] / "data"
FIELDS = ("title", "signer", "issue_date", "effective_date", "summary", "body", "note")


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def load_data():
    with open(DATA / "documents.json", encoding="utf-8") as handle:
        return json.load(handle)


class Command(BaseCommand):
    help = "Load the real consumer-protection documents, relations and events (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        data = load_data()
        provinces = dict(Province.objects.current().values_list("code", "pk"))
        bodies = self.upsert(
            IssuingBody,
            data["issuing_bodies"],
            extra=lambda row: {"province_id": provinces.get(row.get("province"))},
        )
        fields = self.upsert(LegalField, data["fields"])
        documents, created, changed = {}, 0, 0
        for item in data["documents"]:
            document, was_created, was_changed = self.upsert_document(item, bodies, fields)
            documents[item["key"]] = document
            created += was_created
            changed += was_changed
        for item in data["relations"]:
            services.add_relation(
                source=documents[item["source"]],
                kind=item["kind"],
                target=documents[item["target"]],
                note=item.get("note", ""),
            )
        for item in data["events"]:
            services.add_event(
                document=documents[item["document"]],
                date=_date(item["date"]),
                kind=item["kind"],
                source_document=documents[item["source"]] if item.get("source") else None,
                part_affected=item.get("part_affected", ""),
                note=item.get("note", ""),
            )
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Legal library: {len(documents)} documents ({created} new, {changed} updated), "
            f"{len(data['relations'])} relations, {len(data['events'])} events."
        )

    def upsert(self, model, rows, extra=lambda row: {}):
        objects = {}
        for order, row in enumerate(rows, start=1):
            wanted = {"name": row["name"], "name_en": row["name_en"], "order": order}
            wanted.update(extra(row))
            obj, _created = model.objects.get_or_create(slug=row["slug"], defaults=wanted)
            if any(getattr(obj, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(obj, key, value)
                obj.save()
            objects[row["slug"]] = obj
        return objects

    def upsert_document(self, item, bodies, fields):
        body_text = ""
        if item.get("body_file"):
            body_text = nfc((DATA / item["body_file"]).read_text(encoding="utf-8"))
        wanted = {
            "title": nfc(item["title"]),
            "signer": nfc(item.get("signer", "")),
            "issue_date": _date(item.get("issue_date")),
            "effective_date": _date(item.get("effective_date")),
            "summary": nfc(item.get("summary", "")),
            "body": body_text,
            "note": nfc(item.get("note", "")),
            "is_uncertain": bool(item.get("uncertain")),
            "sources": item.get("sources", []),
            "field": fields.get(item.get("field")),
        }
        body = bodies[item["issuing_body"]]
        existing = Document.objects.filter(doc_type=item["type"], issuing_body=body)
        if item["number"]:
            existing = existing.filter(number_normalized=normalize_number(item["number"]))
        else:
            existing = existing.filter(number="", title=wanted["title"])
        document = existing.first()
        if document is None:
            document = Document(doc_type=item["type"], issuing_body=body, number=item["number"])
            for key, value in wanted.items():
                setattr(document, key, value)
            services.save_document(document)
            return document, 1, 0
        if all(getattr(document, key) == value for key, value in wanted.items()):
            return document, 0, 0
        for key, value in wanted.items():
            setattr(document, key, value)
        services.save_document(document)
        return document, 0, 1
