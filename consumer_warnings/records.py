"""What the warnings part gives a business's record (selfassess.record): the warnings and
recalls that name the business as responsible (the registered business the officer chose by
its tax code). One query whatever their number."""

from .models import NEWEST_FIRST, ConsumerWarning

PUBLISHED = ConsumerWarning.Status.PUBLISHED


def naming(business):
    """Published warnings and recalls naming ``business``, newest first, then the withdrawn
    ones, which anyone may still open (their page says so) and which the record marks as
    withdrawn. Never a draft."""
    rows = list(
        ConsumerWarning.objects.public()
        .filter(business=business)
        .only(
            "kind",
            "status",
            "title",
            "slug",
            "product_name",
            "gtin",
            "risk_level",
            "published_at",
            "withdrawn_at",
            "imported",
            "business_id",
        )
        .order_by(*NEWEST_FIRST)
    )
    return [w for w in rows if w.status == PUBLISHED] + [w for w in rows if w.status != PUBLISHED]
