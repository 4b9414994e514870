from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "kopiena.conferences"
    label = "conferences"
    verbose_name = _("Case conferences")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.conferences import models

        # Who changed what and when (each save of the minutes or a discussion raises its
        # version). The texts themselves stay out of the change history: they are about
        # pupils and their families, and the history is read by system administrators.
        auditlog.register(models.CaseConference, exclude_fields=["agenda", "minutes"])
        auditlog.register(models.DiscussedCase, exclude_fields=["discussion"])
        auditlog.register(models.ActionItem, exclude_fields=["description"])
