from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialoffersConfig(AppConfig):
    name = "trialoffers"
    verbose_name = _("Trial offers")
