from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "kopiena.access"
    verbose_name = _("Access and access log")

    def ready(self) -> None:
        from kopiena.access import signals  # noqa: F401
