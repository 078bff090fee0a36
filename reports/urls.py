from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("don-vi/<int:pk>/", views.unit_report, name="unit_report"),
    path("don-vi/<int:pk>/tien-do/<int:progress_pk>/", views.save_progress, name="save_progress"),
    path(
        "don-vi/<int:pk>/tep/<int:attachment_pk>/xoa/",
        views.delete_attachment,
        name="delete_attachment",
    ),
    path("don-vi/<int:pk>/nop/", views.submit, name="submit"),
    path("don-vi/<int:pk>/duyet/", views.review, name="review"),
    path("don-vi/<int:pk>/pdf/", views.unit_report_pdf, name="unit_report_pdf"),
    path("don-vi/<int:pk>/csv/", views.unit_report_csv, name="unit_report_csv"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
    path("quoc-gia/<int:year>/", views.national_report, name="national_report"),
    path("quoc-gia/<int:year>/sua/", views.national_edit, name="national_edit"),
    path("quoc-gia/<int:year>/tong-hop/", views.national_compile, name="national_compile"),
    path("quoc-gia/<int:year>/cong-bo/", views.national_publish, name="national_publish"),
    path("quoc-gia/<int:year>/pdf/", views.national_pdf, name="national_pdf"),
    path("quoc-gia/<int:year>/csv/", views.national_csv, name="national_csv"),
]
