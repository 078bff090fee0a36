from django.urls import path

from . import views

app_name = "legaldocs"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.short_link, name="short"),
    path("du-lieu/thu-vien.csv", views.library_csv, name="csv"),
    path("feed/", views.LibraryFeed(), name="feed"),
    path("tep/<int:pk>/", views.attachment, name="attachment"),
    path("<slug:doc_type>/<slug:year>/<slug:slug>/", views.detail, name="detail"),
    path("<slug:doc_type>/<slug:year>/<slug:slug>/json/", views.detail_json, name="json"),
]
