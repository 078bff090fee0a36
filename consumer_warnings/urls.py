app_name = "consumer_warnings"
urlpatterns = []
