from django.urls import path

from . import feeds, views

app_name = "consumer_warnings"
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", feeds.WarningFeed(), name="feed_atom"),
    path("feed/rss/", feeds.WarningRssFeed(), name="feed_rss"),
    path("du-lieu.json", views.export_json, name="export_json"),
    path("du-lieu.csv", views.export_csv, name="export_csv"),
    path("<int:pk>.json", views.detail_json, name="detail_json"),
    path("<int:pk>/", views.detail, name="detail_short"),
    path("<int:pk>/<slug:slug>/", views.detail, name="detail"),
    path("anh/<int:pk>/", views.photo, name="photo"),
    path("dang-ky/", views.subscribe, name="subscribe"),
    path("dang-ky/xac-nhan/<str:token>/", views.confirm, name="confirm"),
    path("huy-dang-ky/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("quan-ly/", views.manage, name="manage"),
    path("quan-ly/moi/", views.create, name="create"),
    path("quan-ly/<int:pk>/", views.preview, name="preview"),
    path("quan-ly/<int:pk>/sua/", views.edit, name="edit"),
    path("quan-ly/<int:pk>/dang/", views.publish, name="publish"),
    path("quan-ly/<int:pk>/go/", views.withdraw, name="withdraw"),
    path("quan-ly/anh/<int:pk>/xoa/", views.photo_delete, name="photo_delete"),
    path("tin-hieu/", views.signal_list, name="signals"),
    path("tin-hieu/<slug:kind>/<str:key>/", views.signal_detail, name="signal"),
    path("tin-hieu/<slug:kind>/<str:key>/canh-bao-moi/", views.signal_draft, name="signal_draft"),
]
