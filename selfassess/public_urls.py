app_name = "businesses"
urlpatterns = []
