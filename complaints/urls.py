from django.urls import include, path, register_converter

from . import views

app_name = "complaints"


class ComplaintCodeConverter:
    """A complaint's code (``KN-2026-000123``, see ``services.format_code``): anything else
    in its place answers 404 before a query is made (PostgreSQL refuses a NUL byte with an
    error, not an empty result)."""

    regex = r"KN-\d{4}-\d{6,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ComplaintCodeConverter, "complaint_code")

CODE = "<complaint_code:code>"

# Grouped by who uses them; the names are the app's ("complaints:staff_detail").
filing = [
    path("", views.file_start, name="file"),
    path("da-gui/", views.file_done, name="file_done"),
    path("<slug:slug>/", views.file_step, name="file_step"),
]
tracking = [
    path("", views.track, name="track"),
    path(f"{CODE}/", views.track_detail, name="track_detail"),
    path(f"{CODE}/tep/<int:pk>/", views.track_attachment, name="track_attachment"),
    path(f"{CODE}/du-lieu.json", views.track_export, name="track_export"),
    path(f"{CODE}/du-lieu-ca-nhan/", views.track_data_request, name="track_data_request"),
    path(f"{CODE}/rut-dong-y-cong-bo/", views.track_publish_consent, name="track_publish_consent"),
    path(f"{CODE}/<slug:action>/", views.track_action, name="track_action"),
]
staff = [
    path("", views.staff_list, name="staff_list"),
    path("nhap/", views.staff_new, name="staff_new"),
    path(f"{CODE}/", views.staff_detail, name="staff_detail"),
    path(f"{CODE}/xu-ly/", views.staff_action, name="staff_action"),
    path(f"{CODE}/du-lieu-ca-nhan/<int:pk>/", views.staff_data_decide, name="staff_data_decide"),
    path(f"{CODE}/tep/<int:pk>/", views.staff_attachment, name="staff_attachment"),
]
business = [
    path("", views.business_inbox, name="business_inbox"),
    path(f"{CODE}/", views.business_detail, name="business_detail"),
    path(f"{CODE}/xu-ly/", views.business_action, name="business_action"),
    path(f"{CODE}/tep/<int:pk>/", views.business_attachment, name="business_attachment"),
]

urlpatterns = [
    path("gui/", include(filing)),
    path("tra-cuu/", include(tracking)),
    path("theo-doi/<str:token>/", views.track_token, name="track_token"),
    path("cua-toi/", views.my_complaints, name="mine"),
    path("thong-ke/", views.stats, name="stats"),
    path("thong-ke/csv/", views.stats_csv, name="stats_csv"),
    path("quan-ly/", include(staff)),
    path("doanh-nghiep/", include(business)),
]
