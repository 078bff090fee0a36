from django.apps import AppConfig


class SelfassessConfig(AppConfig):
    name = "selfassess"
