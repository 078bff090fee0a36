from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from . import pwa, views
from .api import api, unknown_path

portal_patterns = (
    [
        path("tai-khoan/khong-gian/", views.dashboard, name="dashboard"),
        path("tai-khoan/doanh-nghiep/dang-ky/", views.register_business, name="business_register"),
        path("tai-khoan/doanh-nghiep/tham-gia/", views.join_business, name="business_join"),
        path("tai-khoan/doanh-nghiep/<int:pk>/", views.business_detail, name="business_detail"),
        path(
            "tai-khoan/yeu-cau-thanh-vien/", views.membership_requests, name="membership_requests"
        ),
        path(
            "tai-khoan/yeu-cau-thanh-vien/<int:pk>/",
            views.membership_decide,
            name="membership_decide",
        ),
        path("api/doanh-nghiep/goi-y/", views.business_suggest, name="business_suggest"),
        path("chinh-sach-du-lieu-ca-nhan/", views.privacy, name="privacy"),
    ],
    "portal",
)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Not under i18n_patterns: the API speaks the language of Accept-Language.
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", unknown_path),
    path("_allauth/", include("allauth.headless.urls")),
    path("favicon.ico", views.favicon),
    # At the root: a worker controls only the paths below its own.
    path("sw.js", pwa.service_worker, name="service_worker"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("offline/", pwa.offline, name="offline"),
    path("", include(portal_patterns)),
    path("tai-khoan/", include("allauth.urls")),
    path("quan-tri/", admin.site.urls),
    path("khieu-nai/", include("complaints.urls")),
    path("tu-danh-gia/", include("selfassess.urls")),
    path("doanh-nghiep/", include("selfassess.public_urls")),
    path("van-ban/", include("legaldocs.urls")),
    path("canh-bao/", include("consumer_warnings.urls")),
    path("bao-cao/", include("reports.urls")),
    path("tuong-thuat/", include("narratives.urls")),
    prefix_default_language=False,
)
