"""Support rules as data, each pupil's current support level, its history, and the cases opened
when a pupil crosses the statutory threshold of unexcused absences."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopiena.calendars.models import SchoolYear
from kopiena.earlywarning.catalogue import (
    TEMPLATE_PLACEHOLDERS,
    Comparison,
    Indicator,
    SupportLevel,
    compare,
    tightens,
)
from kopiena.earlywarning.reasons import format_value
from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.pupils.models import Pupil, SchoolClass


class SupportRule(models.Model):
    """``indicator comparison threshold`` → ``level``, with the reason it gives.

    A rule without an organisation is a shipped default. A municipality's rule replaces the
    default of the same indicator and level for its schools; a school's rule may only tighten
    the rule it inherits (flag at least the same pupils). Inactive rules are not in force.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="support_rules",
        help_text=_("Empty for a default rule; a municipality or a school otherwise."),
    )
    indicator = models.CharField(_("indicator"), max_length=40, choices=Indicator.choices)
    comparison = models.CharField(_("comparison"), max_length=2, choices=Comparison.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=9, decimal_places=4)
    level = models.CharField(_("support level"), max_length=10, choices=SupportLevel.choices)
    reason_template = models.CharField(
        _("reason"), max_length=300, blank=True,
        help_text=_("Leave empty to use the standard text of the indicator, translated into "
                    "every language. Placeholders: %(value)s, %(threshold)s, %(limit)s."),
    )
    source = models.TextField(_("source"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("support rule")
        verbose_name_plural = _("support rules")
        ordering = ["indicator", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "level"], condition=Q(is_active=True),
                name="unique_active_support_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.comparison} {self.threshold} → {self.level}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.indicator, self.level)

    def matches(self, value: Decimal | None) -> bool:
        return value is not None and compare(value, self.comparison, self.threshold)

    def inherited_rule(self) -> SupportRule | None:
        """The rule this one replaces: the municipality's or the default one, same key."""
        if self.organisation is None:
            return None
        candidates = SupportRule.objects.filter(
            indicator=self.indicator, level=self.level, is_active=True
        ).exclude(pk=self.pk)
        municipality_id = self.organisation.municipality_id
        if self.organisation.is_school and municipality_id is not None:
            own = candidates.filter(organisation_id=municipality_id).first()
            if own is not None:
                return own
        return candidates.filter(organisation__isnull=True).first()

    def clean(self) -> None:
        super().clean()
        self._check_organisation()
        self._check_template()
        if not self.is_active or self.threshold is None or not self.comparison:
            return
        self._check_unique_default()
        if self.organisation is not None and self.organisation.is_school:
            self._check_tightens()

    def _check_organisation(self) -> None:
        org = self.organisation
        if org is not None and not (org.is_school or org.kind == OrganisationKind.MUNICIPALITY):
            raise ValidationError({"organisation": _(
                "Support rules belong to a municipality or a school.")})

    def _check_template(self) -> None:
        if not self.reason_template:
            return
        try:
            self.reason_template % dict.fromkeys(TEMPLATE_PLACEHOLDERS, "1")
        except (KeyError, ValueError, TypeError) as error:
            raise ValidationError({"reason_template": _(
                "The reason text can use only %(placeholders)s; write %%%% for a percent sign."
            ) % {"placeholders": ", ".join(f"%({p})s" for p in TEMPLATE_PLACEHOLDERS)}}
            ) from error

    def _check_unique_default(self) -> None:
        if self.organisation_id is not None:
            return
        others = SupportRule.objects.filter(
            organisation__isnull=True, indicator=self.indicator, level=self.level,
            is_active=True,
        ).exclude(pk=self.pk)
        if others.exists():
            raise ValidationError(_("There is already an active default rule for this "
                                    "indicator and support level."))

    def _check_tightens(self) -> None:
        inherited = self.inherited_rule()
        if inherited is None or tightens(
            comparison=self.comparison, threshold=self.threshold,
            inherited_comparison=inherited.comparison, inherited_threshold=inherited.threshold,
        ):
            return
        raise ValidationError({"threshold": _(
            "A school can only tighten the rule it inherits. The %(owner)s rule gives "
            "%(level)s when %(indicator)s is %(comparison)s %(threshold)s; this rule must give "
            "it to at least those pupils."
        ) % {
            "owner": _("default") if inherited.organisation is None else _("municipality's"),
            "level": inherited.get_level_display(),
            "indicator": inherited.get_indicator_display(),
            "comparison": inherited.get_comparison_display(),
            "threshold": format_value(inherited.indicator, inherited.threshold),
        }})


class PupilSupportStatus(models.Model):
    """A pupil's current support level, with its reasons and the indicators behind it."""

    pupil = models.OneToOneField(Pupil, on_delete=models.CASCADE, related_name="support_status")
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    level = models.CharField(_("support level"), max_length=10, choices=SupportLevel.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("support status")
        verbose_name_plural = _("support statuses")
        indexes = [
            models.Index(fields=["school", "level"]),
            models.Index(fields=["school_class", "level"]),
            # The screens' cache stamp: the newest computation at a school, index-only.
            models.Index(fields=["school", "computed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.level} ({self.as_of})"


class LevelChange(models.TextChoices):
    FIRST = "first", _("First assessment")
    RAISED = "raised", _("Raised")
    LOWERED = "lowered", _("Lowered")
    CLEARED = "cleared", _("Back to universal support")


class SupportLevelEvent(models.Model):
    """A change of a pupil's support level, with the reasons of the new level."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE,
                              related_name="support_level_events")
    school = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    previous_level = models.CharField(_("previous level"), max_length=10, blank=True,
                                      choices=SupportLevel.choices)
    level = models.CharField(_("support level"), max_length=10, choices=SupportLevel.choices)
    change = models.CharField(_("change"), max_length=10, choices=LevelChange.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support level change")
        verbose_name_plural = _("support level changes")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school", "date"]), models.Index(fields=["pupil", "date"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.date} {self.previous_level}→{self.level}"


class StatutoryThresholdCase(models.Model):
    """Opened once per pupil and semester when unexcused lessons first exceed the limit of
    Cabinet Regulation No. 89."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="threshold_cases")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The year and the semester's number, not the Semester row: calendars are reloaded by
    # replacing their semesters.
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    semester = models.PositiveSmallIntegerField(_("semester"))
    detected_on = models.DateField(_("detected on"))
    unexcused_lessons = models.PositiveIntegerField(_("unexcused lessons"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statutory absence case")
        verbose_name_plural = _("statutory absence cases")
        ordering = ["-detected_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "school_year", "semester"],
                                    name="unique_threshold_case_per_semester"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.school_year_id}/{self.semester} ({self.unexcused_lessons})"


class FollowUpTask(models.Model):
    class Kind(models.TextChoices):
        CONTACT_FAMILY = "contact_family", _(
            "Contact the family and clarify the reasons for the unexcused absences")
        INFORM_MUNICIPALITY = "inform_municipality", _(
            "Send the notices to the parents and the municipality and record when they "
            "were sent")

    case = models.ForeignKey(StatutoryThresholdCase, on_delete=models.CASCADE,
                             related_name="tasks")
    kind = models.CharField(_("task"), max_length=30, choices=Kind.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                 on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} → {self.assignee_id}"


class ThresholdNotice(models.Model):
    """The notice of a threshold case to one recipient, and when it was sent."""

    class Recipient(models.TextChoices):
        PARENTS = "parents", _("Parents or guardians")
        MUNICIPALITY = "municipality", _("Municipality")

    case = models.ForeignKey(StatutoryThresholdCase, on_delete=models.CASCADE,
                             related_name="notices")
    recipient = models.CharField(_("recipient"), max_length=20, choices=Recipient.choices)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"),
                                on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        constraints = [
            models.UniqueConstraint(fields=["case", "recipient"], name="unique_notice_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.recipient}"
