from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "regie.api"
    label = "regie_api"
    verbose_name = "API"
