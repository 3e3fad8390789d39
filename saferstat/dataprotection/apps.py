from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "saferstat.dataprotection"
    label = "dataprotection"
    verbose_name = "Personal data: declaration, retention, subject access and erasure"
