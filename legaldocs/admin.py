"""Back office of the legal library: librarians (ministry officers) curate documents with
their events, relations and attachments inline."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from portal import search
from portal.admin_mixins import ScopedAdminMixin

from . import services
from .models import (
    Attachment,
    Document,
    IssuingBody,
    LegalField,
    Relation,
    ReviewFlag,
    ValidityEvent,
    normalize_number,
)
from .validity import ENDING, Status, annotate_status


class ValidityEventInline(admin.TabularInline):
    model = ValidityEvent
    fk_name = "document"
    extra = 0
    fields = ("date", "kind", "source_document", "part_affected", "note")
    autocomplete_fields = ("source_document",)


class RelationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("target"):
                continue
            key = (data["kind"], data["target"].pk)
            if key in seen:
                raise ValidationError(_("The same relation is listed twice."))
            seen.add(key)


class RelationInline(admin.TabularInline):
    model = Relation
    fk_name = "source"
    formset = RelationFormSet
    extra = 0
    fields = ("kind", "target", "note")
    autocomplete_fields = ("target",)
    verbose_name = _("relation from this document")
    verbose_name_plural = _("relations from this document (shown on both documents)")


class IncomingRelationInline(admin.TabularInline):
    model = Relation
    fk_name = "target"
    extra = 0
    fields = ("source", "kind", "note")
    readonly_fields = ("source", "kind", "note")
    can_delete = False
    verbose_name = _("relation to this document")
    verbose_name_plural = _("relations to this document (edit them on the other document)")

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        authoritative = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_authoritative")
        ]
        if len(authoritative) > 1:
            raise ValidationError(_("Only one file can be the authoritative signed PDF."))


class AttachmentInline(admin.TabularInline):
    # Attachment.clean refuses a file that is not a PDF as the authoritative copy.
    model = Attachment
    formset = AttachmentFormSet
    extra = 0
    fields = ("file", "is_authoritative", "description", "original_name", "size")
    readonly_fields = ("original_name", "size")


class ReviewFlagInline(admin.TabularInline):
    """The flags services raised on this document: shown here, resolved by the action."""

    model = ReviewFlag
    fk_name = "document"
    fields = readonly_fields = ("parent", "reason", "created_at", "resolved_at", "resolved_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentForm(forms.ModelForm):
    sources_text = forms.CharField(
        label=_("Sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One link or reference per line."),
    )

    class Meta:
        model = Document
        # DocumentAdmin.fieldsets choose and order the fields (the admin passes them to the
        # form); sources are edited as text.
        exclude = ("sources",)  # noqa: DJ006

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources_text"].initial = "\n".join(self.instance.sources or [])

    def save(self, commit=True):
        self.instance.sources = [
            line.strip()
            for line in self.cleaned_data.get("sources_text", "").splitlines()
            if line.strip()
        ]
        return super().save(commit)


class StatusFilter(admin.SimpleListFilter):
    title = _("validity today")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(validity=self.value())
        return queryset


@admin.register(Document)
class DocumentAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = DocumentForm
    list_display = (
        "number",
        "doc_type",
        "short_title",
        "issuing_body",
        "issue_date",
        "validity_label",
        "needs_review",
    )
    list_filter = (StatusFilter, "doc_type", "issuing_body", "field", "is_uncertain")
    list_select_related = ("issuing_body",)
    search_fields = ("number", "title")
    date_hierarchy = "issue_date"
    inlines = (
        ValidityEventInline,
        RelationInline,
        IncomingRelationInline,
        AttachmentInline,
        ReviewFlagInline,
    )
    readonly_fields = ("permalink", "created_at", "updated_at")
    actions = ("mark_reviewed",)
    fieldsets = (
        (None, {"fields": ("doc_type", "number", "title", "issuing_body", "signer")}),
        (_("Dates"), {"fields": ("issue_date", "effective_date")}),
        (
            _("Content"),
            {"fields": ("field", "language", "summary", "body")},
        ),
        (
            _("Sources and checks"),
            {"fields": ("sources_text", "is_uncertain", "note")},
        ),
        (_("Permalink"), {"fields": ("permalink", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        qs = annotate_status(super().get_queryset(request))
        return qs.annotate(
            open_flags=Exists(
                ReviewFlag.objects.filter(document=OuterRef("pk"), resolved_at__isnull=True)
            )
        )

    def get_search_results(self, request, queryset, search_term):
        # Split and fold the term like the public search does (diacritics, đ and
        # punctuation ignored): "Luật 19/2023/QH15" finds the law by its title words.
        if not search_term.strip():
            return queryset, False
        words = search.terms_condition(search.search_terms(search_term), column="title_search")
        condition = Q(number_normalized__startswith=normalize_number(search_term)) | words
        return queryset.filter(condition), False

    @admin.display(description=pgettext_lazy("legal document", "title"))
    def short_title(self, obj):
        return obj.title[:90] + ("…" if len(obj.title) > 90 else "")

    @admin.display(description=_("validity today"), ordering="validity")
    def validity_label(self, obj):
        return Status(obj.validity).label

    @admin.display(description=_("to review"), boolean=True)
    def needs_review(self, obj):
        return bool(getattr(obj, "open_flags", 0))

    @admin.display(description=_("permalink"))
    def permalink(self, obj):
        return obj.get_absolute_url() if obj.pk and obj.slug else "—"

    def save_model(self, request, obj, form, change):
        services.save_document(obj)

    def save_formset(self, request, form, formset, change):
        # The attachment records its own name, type and size (portal.attachments).
        if formset.model is Attachment:
            for attachment_form in formset.forms:
                if attachment_form.instance.pk is None:
                    attachment_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        document = form.instance
        # Replacing or ending a document flags the documents that guide it.
        if document.events.filter(kind__in=ENDING).exists():
            services.flag_dependents(document)
        for relation in document.relations_out.filter(kind=Relation.Kind.REPLACES):
            services.flag_dependents(relation.target)

    @admin.action(
        description=_("Mark review flags of the selected documents as reviewed"),
        permissions=["change"],
    )
    def mark_reviewed(self, request, queryset):
        count = services.resolve_flags(
            ReviewFlag.objects.filter(document__in=queryset.values("pk")), request.user
        )
        self.message_user(
            request,
            ngettext("%(n)d flag marked as reviewed.", "%(n)d flags marked as reviewed.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(ReviewFlag)
class ReviewFlagAdmin(admin.ModelAdmin):
    list_display = ("document", "parent", "reason", "created_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    list_select_related = ("document", "parent")
    readonly_fields = ("document", "parent", "reason", "created_at", "resolved_at", "resolved_by")
    actions = ("mark_reviewed",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark as reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = services.resolve_flags(queryset, request.user)
        self.message_user(
            request,
            ngettext("%(n)d flag marked as reviewed.", "%(n)d flags marked as reviewed.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    # The province says whose report counts the body's documents (none: national).
    list_display = ("name", "name_en", "slug", "province", "order")
    list_select_related = ("province",)
    search_fields = ("name", "name_en")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(LegalField)
class LegalFieldAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "slug", "order")
    search_fields = ("name", "name_en")
    prepopulated_fields = {"slug": ("name_en",)}
