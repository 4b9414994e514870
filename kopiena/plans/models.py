"""Individual support plans (IAP): the measure catalogue, the plan with its measures linked to
assessed risks, the approval chain, the status log, the delivery log, reviews and the
end-of-semester evaluation.

Status rules live in ``kopiena.plans.workflow``; changes go through ``kopiena.plans.actions``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kopiena.accounts.roles import Role
from kopiena.calendars.models import SchoolYear
from kopiena.cases.models import AssessedRisk, SupportCase
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Pupil


class MeasureKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPENSATION = "compensation", _("Compensation")
    MENTOR = "mentor", _("Mentor")


class MeasureUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    SESSIONS = "sessions", _("sessions")
    EUR = "eur", _("euros")


class MeasureType(models.Model):
    """One entry of the measure catalogue. Rows without a municipality are the defaults shipped
    with Kopiena (DOMAIN.md, "Measures"); a municipality overrides a default by adding a row
    with the same code, or adds measures of its own."""

    municipality = models.ForeignKey(Organisation, verbose_name=_("municipality"),
                                     on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="measure_types")
    code = models.SlugField(_("code"), max_length=40)
    name_lv = models.CharField(_("name in Latvian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=15, choices=MeasureKind.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=MeasureUnit.choices)
    unit_cost_eur = models.DecimalField(_("unit cost, EUR"), max_digits=9, decimal_places=2,
                                        null=True, blank=True)
    min_pupil_age = models.PositiveSmallIntegerField(_("minimum pupil age"), null=True,
                                                     blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("measure type")
        verbose_name_plural = _("measure catalogue")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"],
                                    name="one_measure_code_per_municipality"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(municipality=None),
                                    name="one_default_measure_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_lv if translation.get_language() == "lv" else self.name_en

    def get_additional_data(self) -> dict[str, int | None]:
        """Stored with each change in the audit log, to list a municipality's changes."""
        return {"municipality_id": self.municipality_id}


class FundingSource(models.TextChoices):
    ESF_SKOLA_KOPIENA = "esf_skola_kopiena", _("ESF+ \"Skola – kopienā\"")
    MUNICIPALITY = "municipality", _("Municipal budget")
    STATE = "state", _("State budget")
    OTHER = "other", _("Other")


class ApprovalStep(models.Model):
    """A municipality's approval chain after the author. Without rows, the default chain of
    DOMAIN.md applies: author → school director → municipality coordinator."""

    municipality = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="approval_steps")
    position = models.PositiveSmallIntegerField(_("position"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval chain")
        ordering = ["municipality", "position"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "position"],
                                    name="one_step_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_role_display()}"

    def get_additional_data(self) -> dict[str, int | None]:
        return {"municipality_id": self.municipality_id}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("In approval")
    APPROVED = "approved", _("Approved")
    IN_IMPLEMENTATION = "in_implementation", _("In implementation")
    PAUSED = "paused", _("Paused")
    UNDER_REVISION = "under_revision", _("Under revision")
    INACTIVE = "inactive", _("Inactive")
    COMPLETED = "completed", _("Completed")


class Outcome(models.TextChoices):
    RISK_REDUCED = "risk_reduced", _("Risk reduced")
    SUPPORT_CONTINUES = "support_continues", _("Support continues")
    MOVED_SCHOOL = "moved_school", _("Moved to another school")
    LEFT_EDUCATION = "left_education", _("Left education")
    COMPLETED_EDUCATION = "completed_education", _("Completed education")


class SupportPlan(models.Model):
    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="plans")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="support_plans")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                               related_name="support_plans")
    school_year = models.ForeignKey(SchoolYear, verbose_name=_("school year"),
                                    on_delete=models.PROTECT, related_name="+")
    semester = models.PositiveSmallIntegerField(_("semester"))
    code = models.CharField(_("ID code"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="authored_plans")
    goals = models.TextField(_("goals"))
    pupil_commitment = models.TextField(_("the pupil's commitment"), blank=True)
    pupil_agreed = models.BooleanField(_("the pupil agrees to take part"), default=False)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    approval_round = models.PositiveSmallIntegerField(default=0)
    # Approval steps (0-based) already passed in the current round.
    approvals_done = models.PositiveSmallIntegerField(default=0)
    status_reason = models.TextField(_("reason"), blank=True)  # pause or revision reason
    previous_plan = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="next_plans")
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individual support plan")
        verbose_name_plural = _("individual support plans")
        ordering = ["-school_year__starts_on", "-semester", "pupil__last_name"]
        indexes = [models.Index(fields=["school", "school_year", "semester", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "school_year", "semester"],
                                    name="one_plan_per_pupil_and_semester"),
        ]

    def __str__(self) -> str:
        return self.code


class PlanMeasure(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="measures")
    measure_type = models.ForeignKey(MeasureType, verbose_name=_("measure"),
                                     on_delete=models.PROTECT, related_name="+")
    risks = models.ManyToManyField(AssessedRisk, verbose_name=_("risks it addresses"),
                                   related_name="measures")
    justification = models.TextField(_("justification"))
    subject = models.CharField(_("subject"), max_length=80, blank=True)
    provider_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("provider"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="provided_measures")
    provider_organisation = models.ForeignKey(
        Organisation, verbose_name=_("provider organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="provided_measures")
    planned_amount = models.DecimalField(_("planned amount"), max_digits=9, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=MeasureUnit.choices)
    unit_cost_eur = models.DecimalField(_("unit cost, EUR"), max_digits=9, decimal_places=2,
                                        null=True, blank=True)
    funding_source = models.CharField(_("paid from"), max_length=20,
                                      choices=FundingSource.choices,
                                      default=FundingSource.ESF_SKOLA_KOPIENA)
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.measure_type)

    @property
    def planned_eur(self) -> Decimal:
        if self.unit == MeasureUnit.EUR:
            return self.planned_amount
        return self.planned_amount * (self.unit_cost_eur or Decimal(0))

    @property
    def provider_label(self) -> str:
        if self.provider_user is not None:
            return self.provider_user.full_name
        return str(self.provider_organisation or "")


class PlanTransition(models.Model):
    """Every status change of a plan: who, when, from, to, and why."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=PlanStatus.choices)
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    acting_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    happened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan status change")
        verbose_name_plural = _("plan status changes")
        ordering = ["happened_at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status} → {self.to_status}"


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote")


class Delivery(models.Model):
    """One consultation or session given, or one compensation paid."""

    measure = models.ForeignKey(PlanMeasure, on_delete=models.PROTECT,
                                related_name="deliveries")
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(_("duration, minutes"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    amount_eur = models.DecimalField(_("amount, EUR"), max_digits=9, decimal_places=2,
                                     default=Decimal(0))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"),
                              on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    mode = models.CharField(_("how"), max_length=10, choices=DeliveryMode.choices, blank=True)
    pupil_confirmed_at = models.DateTimeField(_("confirmed by the pupil"), null=True,
                                              blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-delivered_on", "-pk"]
        indexes = [models.Index(fields=["plan", "delivered_on"])]

    def __str__(self) -> str:
        return f"{self.delivered_on} {self.measure}"


class PlanReview(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    progress = models.TextField(_("progress"))
    next_steps = models.TextField(_("next steps"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return str(self.reviewed_on)


class PlanEvaluation(models.Model):
    """The end-of-semester evaluation. The indicators before and after are frozen here so the
    team sees whether the plan worked even after the data moves on."""

    plan = models.OneToOneField(SupportPlan, on_delete=models.CASCADE,
                                related_name="evaluation")
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    summary = models.TextField(_("summary"))
    indicators_before = models.JSONField(default=dict)
    indicators_after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan evaluation")
        verbose_name_plural = _("plan evaluations")

    def __str__(self) -> str:
        return f"{self.plan} {self.get_outcome_display()}"
