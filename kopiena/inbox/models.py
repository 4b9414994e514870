"""The in-app inbox: notifications and tasks for one user, and how they want e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    APPROVAL_WAITING = "approval_waiting", _("Approval waiting")
    PLAN_DECIDED = "plan_decided", _("Plan approved or returned")
    REVIEW_DUE = "review_due", _("Plan review due")
    NEW_FLAG = "new_flag", _("New support flag")
    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    REFERRAL_ANSWERED = "referral_answered", _("Referral answered")
    REFERRAL_REVOKED = "referral_revoked", _("Referral revoked")
    ACTION_ITEM = "action_item", _("Action item")
    ACTION_ITEM_OVERDUE = "action_item_overdue", _("Action item overdue")
    CASE_ASSIGNED = "case_assigned", _("Case assigned")
    CONFIRMATION_OVERDUE = "confirmation_overdue", _("Remote session not confirmed")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # Repeated reminders (a review due, an overdue item) carry a key so they appear once.
    dedupe_key = models.CharField(max_length=120, blank=True)
    is_task = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="one_notification_per_key"),
        ]

    def __str__(self) -> str:
        return self.title


class EmailMode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Send each notification at once")
    DAILY_DIGEST = "daily_digest", _("One daily digest")
    NONE = "none", _("No e-mail, only the inbox")


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email_mode = models.CharField(_("e-mail"), max_length=15, choices=EmailMode.choices,
                                  default=EmailMode.IMMEDIATELY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"
