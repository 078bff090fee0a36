"""The one way a public list pages through many rows without counting them all: a count
that stops at ``COUNT_CAP`` rows, shown as "more than 1,000", so a common word or a long
list at national scale costs one page and a bounded count, not a scan of every row."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Counting every match of a common word at 100,000 rows costs more than the page itself;
# past this many, the page says "more than" and asks for a narrower search.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator that stops counting at ``cap`` rows (``None``: count them all). An
    object list with its own ``capped_count(limit)`` (several querysets read as one)
    counts itself."""

    capped = False

    def __init__(self, object_list, per_page, cap=COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self):
        if self.cap is None:
            return self.object_list.count()
        limit = self.cap + 1
        if hasattr(self.object_list, "capped_count"):
            found = self.object_list.capped_count(limit)
        else:
            found = self.object_list.order_by()[:limit].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def page_number(request):
    """The ``page`` asked for, 1 for anything that is not a whole number of at least 1 (a
    typed or crawled address never fails on it)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1
