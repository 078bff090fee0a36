from django.apps import AppConfig


class ConsumerWarningsConfig(AppConfig):
    name = "consumer_warnings"
