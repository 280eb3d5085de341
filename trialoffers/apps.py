from django.apps import AppConfig


class TrialoffersConfig(AppConfig):
    name = "trialoffers"
