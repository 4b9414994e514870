"""Who may see which pupil beyond their own school (grants), and who saw what (access log)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Pupil


class AppendOnlyError(RuntimeError):
    pass


class PupilAccessGrantQuerySet(models.QuerySet["PupilAccessGrant"]):
    def active(self) -> PupilAccessGrantQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class PupilAccessGrant(models.Model):
    """A pupil made visible to an organisation or a person outside the school's own staff.

    Created when a support case is shared with the municipality, referred to a partner agency
    or given a mentor (later issues). Revoking it ends access at once.
    """

    class Kind(models.TextChoices):
        SHARED_WITH_MUNICIPALITY = "shared_with_municipality", _("Case shared with municipality")
        REFERRAL = "referral", _("Referral to a partner agency")
        MENTOR = "mentor", _("Mentor assigned")

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="access_grants")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True,
        related_name="pupil_grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="pupil_grants",
    )
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PupilAccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False),
                name="grant_has_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} → {self.organisation or self.user}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The access log cannot be deleted.")


class AppendOnlyModel(models.Model):
    """Rows are written once; the application can neither change nor delete them."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log cannot be deleted.")


class AccessLogEntry(AppendOnlyModel):
    """One read of pupil data: a page, a list or search, an export."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed record")
        LIST = "list", _("Listed or searched")
        EXPORT = "export", _("Exported")
        API = "api", _("API read")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    path = models.CharField(_("address"), max_length=500)
    query = models.CharField(_("search or filter"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    pupil_count = models.PositiveIntegerField(_("pupils"), default=0)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.path}"


class AccessedPupil(AppendOnlyModel):
    entry = models.ForeignKey(AccessLogEntry, on_delete=models.PROTECT, related_name="pupils")
    pupil = models.ForeignKey(Pupil, on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")

    class Meta:
        verbose_name = _("pupil in access log")
        verbose_name_plural = _("pupils in access log")
        indexes = [models.Index(fields=["pupil", "entry"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.pupil_id}"
