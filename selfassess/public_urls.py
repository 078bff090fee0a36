from django.urls import path

from . import public_views

app_name = "businesses"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("xuat.csv", public_views.export_csv, name="export_csv"),
    path("<str:tax_code>/", public_views.detail, name="detail"),
]
