from django.apps import AppConfig


class LegaldocsConfig(AppConfig):
    name = "legaldocs"
