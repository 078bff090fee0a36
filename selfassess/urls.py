app_name = "selfassess"
urlpatterns = []
