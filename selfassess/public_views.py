"""The public results: businesses whose latest assessment is verified, and each business's
public record (selfassess.record). Only the business's public details, the set, its year,
the verified score and the band: never answers, evidence or comments."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.csvexport import csv_response
from portal.models import Business
from portal.pagination import CappedPaginator

from . import selectors
from .filters import PublicResultFilter
from .record import business_record

PAGE_SIZE = 25


def _filtered(request):
    filterset = PublicResultFilter(
        request.GET or None,
        queryset=selectors.public_results(),
        choices=selectors.public_filter_choices(),
    )
    # A bad value in one filter is reported and ignored; the others still apply.
    filterset.form.is_valid()
    return filterset, filterset.qs


@require_GET
def index(request):
    filterset, qs = _filtered(request)
    # Counted up to the shared cap: "more than 1,000", not a count of every result.
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "selfassess/public_list.html",
        {"filter": filterset, "form": filterset.form, "page": page},
    )


def _csv_header():
    return [
        _("Business"),
        _("Tax code"),
        _("Province"),
        _("Sector"),
        _("Criteria set"),
        _("Year"),
        _("Band"),
        _("Verified on"),
    ]


def _csv_row(row):
    business = row.business
    return [
        business.name,
        business.tax_code,
        business.province.name,
        business.sector.name if business.sector_id else "",
        row.criteria_set.title,
        row.criteria_set.year or "",
        row.band.label if row.band_id else "",
        row.decided_at.strftime("%d/%m/%Y") if row.decided_at else "",
    ]


@require_GET
def export_csv(request):
    _filterset, qs = _filtered(request)
    return csv_response(
        _csv_header(),
        (_csv_row(row) for row in qs.iterator(chunk_size=2000)),
        "doanh-nghiep-tu-danh-gia.csv",
    )


@require_GET
def detail(request, tax_code):
    business = get_object_or_404(
        Business.objects.select_related("province", "sector"), tax_code=tax_code
    )
    # The public record only, whoever asks: the page is shared from the anonymous cache.
    return render(
        request,
        "selfassess/public_detail.html",
        {"business": business, "record": business_record(business)},
    )
