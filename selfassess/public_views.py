"""The public results: businesses whose latest assessment is verified. Only the business's
public details, the set, its year and the band: never answers, evidence or comments."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.models import Business
from portal.text import csv_safe as _cell

from . import selectors
from .forms import PublicFilterForm

PAGE_SIZE = 25


def _filtered(request):
    form = PublicFilterForm(request.GET or None, choices=selectors.public_filter_choices())
    form.is_valid()
    # A bad value in one filter is reported and ignored; the others still apply.
    data = getattr(form, "cleaned_data", {})
    qs = selectors.public_results(
        query=data.get("q", ""),
        province=data.get("province"),
        sector=data.get("sector"),
        criteria_set=data.get("set", ""),
        year=data.get("year"),
        band=data.get("band", ""),
    )
    return form, qs


@require_GET
def index(request):
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "selfassess/public_list.html", {"form": form, "page": page})


@require_GET
def export_csv(request):
    _form, qs = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="doanh-nghiep-tu-danh-gia.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Vietnamese correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Business"),
            _("Tax code"),
            _("Province"),
            _("Sector"),
            _("Criteria set"),
            _("Year"),
            _("Band"),
            _("Verified on"),
        ]
    )
    for row in qs.iterator(chunk_size=2000):
        business = row.business
        writer.writerow(
            _cell(v)
            for v in [
                business.name,
                business.tax_code,
                business.province.name,
                business.sector.name if business.sector_id else "",
                row.criteria_set.title,
                row.criteria_set.year or "",
                row.band.label if row.band_id else "",
                row.decided_at.strftime("%d/%m/%Y") if row.decided_at else "",
            ]
        )
    return response


@require_GET
def detail(request, tax_code):
    business = get_object_or_404(
        Business.objects.select_related("province", "sector"), tax_code=tax_code
    )
    history = list(selectors.public_history(business))
    current = next((a for a in history if a.is_public), None)
    return render(
        request,
        "selfassess/public_detail.html",
        {"business": business, "history": history, "current": current},
    )
