"""Back-office scoping shared by every app's admin: the same ``visible_to`` as the views."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .roles import get_actor


class ReadOnlyHistoryMixin:
    """django-simple-history's pages look records up without the admin's queryset and let a
    POST revert a record to an old version with only view permission. Here both pages go
    through ``get_object`` (404 outside the user's scope) and reverting is refused: changes
    are made forward, through the change form and the services."""

    def history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedAdminMixin(ReadOnlyHistoryMixin):
    """Limits the change list, the change form and foreign-key choices to what the user may
    see. Another province's object gives 404 in the admin too."""

    # Foreign keys whose choices are narrowed to ``visible_to(user)`` of their model.
    scoped_foreign_keys = ()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and object_id:
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_foreign_keys:
            related = db_field.related_model
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def actor(self, request):
        return get_actor(request.user)


class FoldedSearchMixin:
    """The admin's search box through ``portal.search``: "hoa binh" finds "Hòa Bình".
    ``search_column`` is the folded column; ``search_exact`` fields also match a code typed
    whole (a tax code, a reference number)."""

    search_column = "search_text"
    search_exact = ()
    # Django shows the search box only when search_fields is set.
    search_fields = ("search_text",)

    def get_search_results(self, request, queryset, search_term):
        from .search import matching

        if not search_term.strip():
            return queryset, False
        found = matching(queryset, search_term, column=self.search_column, exact=self.search_exact)
        return found, False
