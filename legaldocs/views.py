"""Public pages of the legal library: search, document pages, open data, downloads."""

from django.contrib.syndication.views import Feed
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal import pagination
from portal.csvexport import csv_response
from portal.roles import get_object_in_scope

from . import selectors
from .filters import library_filters
from .models import Attachment, Document, PermalinkAlias
from .validity import Status, history, parse_day, status_on, status_style

PAGE_SIZE = 20


@require_GET
def index(request):
    filters = library_filters(request.GET)
    as_of = filters.validity_day
    result = selectors.search(
        filters.search_query, filters=filters, sort=filters.sort_order, as_of=as_of
    )
    # Counted up to a cap, even the whole library: counting 100,000 documents costs more
    # than the page, and no one pages past the cap.
    paginator = pagination.CappedPaginator(result.queryset, PAGE_SIZE, cap=pagination.COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    selectors.decorate(page.object_list, result.parsed)
    notices = []
    if filters.query_too_long:
        notices.append(
            _("Your search was very long; only its first %(n)s characters were used.")
            % {"n": selectors.MAX_QUERY_LENGTH}
        )
    if result.mode == "none":
        notices.append(
            _("Your search has no letters or digits to look for. Try words or a number.")
        )
    if filters.years_swapped:
        notices.append(_("The end year was before the start year; the two were swapped."))
    return render(
        request,
        "legaldocs/index.html",
        {
            "filter": filters,
            "form": filters.form,
            "page": page,
            "result": result,
            "notices": notices,
            "as_of": as_of,
            "has_query": result.mode not in ("all", "none"),
            "browsing": result.mode == "all" and not filters.narrowed,
        },
    )


def _document_or_redirect(doc_type, year, slug):
    document = selectors.find_by_permalink(doc_type, year, slug)
    if document is not None:
        return document, None
    alias = (
        PermalinkAlias.objects.select_related("document")
        .filter(doc_type=doc_type, year_slug=year, slug=slug)
        .first()
    )
    if alias is None:
        raise Http404
    return None, alias.document.get_absolute_url()


@require_GET
def detail(request, doc_type, year, slug):
    document, moved_to = _document_or_redirect(doc_type, year, slug)
    if moved_to:
        return redirect(moved_to, permanent=True)
    raw_day = request.GET.get("ngay", "").strip()
    day = parse_day(raw_day) if raw_day else None
    day_error = bool(raw_day) and day is None
    events = list(document.events.all())
    status = status_on(document, day, events)
    return render(
        request,
        "legaldocs/detail.html",
        {
            "document": document,
            "status": status,
            "status_label": Status(status).label,
            "status_style": status_style(status),
            "day": day,
            "raw_day": raw_day,
            "day_error": day_error,
            "history": history(document, events),
            "relations": selectors.relations_of(document, day),
            "attachments": list(document.attachments.all()),
            "flags": list(selectors.open_flags(document)),
            "today": timezone.localdate(),
        },
    )


@require_GET
def short_link(request, pk):
    document = get_object_in_scope(
        Document.objects.only("doc_type", "year_slug", "slug"), request.user, pk=pk
    )
    return redirect(document.get_absolute_url())


@require_GET
def detail_json(request, doc_type, year, slug):
    document, moved_to = _document_or_redirect(doc_type, year, slug)
    if moved_to:
        return redirect(moved_to.rstrip("/") + "/json/", permanent=True)
    response = JsonResponse(
        selectors.document_as_dict(document, request), json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_HEADER = [
    "id",
    "so_ky_hieu",
    "loai",
    "trich_yeu",
    "co_quan_ban_hanh",
    "nguoi_ky",
    "ngay_ban_hanh",
    "ngay_hieu_luc",
    "linh_vuc",
    "tinh_trang",
    "tinh_trang_ten",
    "chua_xac_minh",
    "duong_dan",
]


@require_GET
def library_csv(request):
    """The whole library as CSV (UTF-8 with BOM so that spreadsheets read Vietnamese)."""
    base = request.build_absolute_uri("/")[:-1]
    # csv_response makes every cell formula-safe: titles, numbers and names are typed in the
    # back office.
    rows = (
        [
            document.pk,
            document.number,
            document.get_doc_type_display(),
            document.title,
            document.issuing_body.name,
            document.signer,
            document.issue_date.isoformat() if document.issue_date else "",
            document.effective_date.isoformat() if document.effective_date else "",
            document.field.name if document.field else "",
            document.validity,
            Status(document.validity).label,
            "1" if document.is_uncertain else "0",
            base + document.get_absolute_url(),
        ]
        for document in selectors.library_rows()
    )
    return csv_response(CSV_HEADER, rows, "thu-vien-van-ban.csv")


@require_GET
def attachment(request, pk):
    """Download an attachment. The library is public, so the scope is the document's
    ``visible_to`` (everyone); the file itself stays outside the web root."""
    item = get_object_or_404(Attachment.objects.select_related("document"), pk=pk)
    get_object_in_scope(Document.objects.all(), request.user, pk=item.document_id)
    return item.response()


class LibraryFeed(Feed):
    """Atom feed of documents newly added to or changed in the library."""

    feed_type = Atom1Feed
    title = gettext_lazy("Legal library: new and changed documents")
    subtitle = gettext_lazy(
        "Consumer-protection law added to or updated in the library of the programme "
        "Businesses for Consumers."
    )

    def link(self):
        return reverse("legaldocs:index")

    def items(self):
        return selectors.recently_changed()

    def item_title(self, item):
        changed = (item.updated_at - item.created_at).total_seconds() > 60
        label = str(item)
        if changed:
            return _("Changed: %(document)s") % {"document": label}
        return _("New: %(document)s") % {"document": label}

    def item_description(self, item):
        return item.title + ("\n\n" + item.summary if item.summary else "")

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [str(item.get_doc_type_display())]
