from django.urls import path

from . import views

app_name = "selfassess"
urlpatterns = [
    path("", views.index, name="index"),
    path("bat-dau/", views.start, name="start"),
    path("tham-dinh/", views.queue, name="queue"),
    path("kiem-tra-nhanh/", views.quick_check, name="quick_check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/nhom/<int:group_pk>/", views.fill, name="fill"),
    path("<int:pk>/luu/", views.autosave, name="autosave"),
    path("<int:pk>/minh-chung/<int:evidence_pk>/", views.evidence_file, name="evidence"),
    path("<int:pk>/nop/", views.submit, name="submit"),
    path("<int:pk>/tham-dinh/", views.review, name="review"),
    path("<int:pk>/ket-qua.pdf", views.result_pdf, name="pdf"),
    path("bo-tieu-chi/nhap/", views.set_import, name="set_import"),
    path("bo-tieu-chi/<int:set_pk>/", views.set_detail, name="set_detail"),
    path("bo-tieu-chi/<int:set_pk>/xuat.<str:fmt>", views.set_export, name="set_export"),
    path("bo-tieu-chi/<int:set_pk>/phien-ban-moi/", views.set_new_version, name="set_new_version"),
]
