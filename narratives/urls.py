from django.urls import path

from . import views

app_name = "narratives"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("quan-ly/", views.manage, name="manage"),
    path("quan-ly/tao/<int:complaint_pk>/", views.create, name="create"),
    path("quan-ly/<int:pk>/", views.review, name="review"),
    path("quan-ly/<int:pk>/dang/", views.publish, name="publish"),
    path("quan-ly/<int:pk>/go/", views.unpublish, name="unpublish"),
]
