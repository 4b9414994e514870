from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "kopiena.core"
    verbose_name = _("Kopiena")


class KopienaAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "kopiena.core.admin_site.KopienaAdminSite"
