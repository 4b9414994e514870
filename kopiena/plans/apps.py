from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "kopiena.plans"
    label = "plans"
    verbose_name = _("Support plans")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.plans import models

        # The measure catalogue and the approval chain are settings of a municipality: every
        # change is kept with its author (shown on the catalogue page).
        auditlog.register(models.MeasureType, exclude_fields=["changed_at", "changed_by"])
        auditlog.register(models.ApprovalStep)
