from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningConfig(AppConfig):
    name = "kopiena.earlywarning"
    label = "earlywarning"
    verbose_name = _("Early warning")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.earlywarning import models, receivers
        from kopiena.schooldata.signals import school_data_changed

        auditlog.register(models.SupportRule)
        auditlog.register(models.FollowUpTask)
        auditlog.register(models.ThresholdNotice)
        school_data_changed.connect(
            receivers.on_school_data_changed, dispatch_uid="earlywarning.recompute"
        )
