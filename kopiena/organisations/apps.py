from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "kopiena.organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.organisations.models import Organisation

        auditlog.register(Organisation)
