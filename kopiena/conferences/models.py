"""Support-team meetings and case conferences: agenda, participants, minutes, the cases
discussed, and decisions as action items with an owner and a due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.cases.models import SupportCase
from kopiena.organisations.models import Organisation


class CaseConference(models.Model):
    school = models.ForeignKey(Organisation, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="case_conferences")
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL,
                                          verbose_name=_("participants"), blank=True,
                                          related_name="case_conferences")
    other_participants = models.CharField(_("other participants"), max_length=500, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class DiscussedCase(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE,
                                   related_name="discussed")
    case = models.ForeignKey(SupportCase, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="discussions")
    discussion = models.TextField(_("discussion"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking of the discussion

    class Meta:
        verbose_name = _("discussed case")
        verbose_name_plural = _("discussed cases")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "case"], name="discussed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.conference_id}: {self.case_id}"


class ActionItem(models.Model):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE,
                                   related_name="action_items")
    case = models.ForeignKey(SupportCase, verbose_name=_("case"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="action_items")
    description = models.TextField(_("decision"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
