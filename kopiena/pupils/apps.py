from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PupilsConfig(AppConfig):
    name = "kopiena.pupils"
    verbose_name = _("Pupils")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kopiena.pupils import models

        auditlog.register(
            models.Pupil,
            exclude_fields=["personal_code_ciphertext", "personal_code_digest", "search_name"],
        )
        auditlog.register(models.Enrolment)
        auditlog.register(models.Guardian)
        auditlog.register(models.PupilGuardian)
        auditlog.register(models.SchoolClass)
        auditlog.register(models.ClassStaff)
