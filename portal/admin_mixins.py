"""Back-office scoping shared by every app's admin: the same ``visible_to`` as the views."""

from django.http import Http404

from .roles import get_actor


class ScopedAdminMixin:
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
