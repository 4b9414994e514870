from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolDataConfig(AppConfig):
    name = "kopiena.schooldata"
    label = "schooldata"
    verbose_name = _("School data")
