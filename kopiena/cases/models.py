"""A pupil's support case: who runs it, consent, risk assessments, the family contact log,
referrals to partner agencies and the timeline of everything that happened.

Business rules live in ``kopiena.cases.actions``; who may see a case in
``kopiena.cases.access``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kopiena.access.models import PupilAccessGrant
from kopiena.cases.risk_factors import FACTOR_CHOICES, RiskGroup
from kopiena.earlywarning.catalogue import SupportLevel
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Guardian, Pupil


class CaseOrigin(models.TextChoices):
    FLAG = "flag", _("Support level flag")
    TEACHER_REFERRAL = "teacher_referral", _("Teacher's referral")
    PARENT_REQUEST = "parent_request", _("Parent's request")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SupportCase(models.Model):
    pupil = models.ForeignKey(Pupil, verbose_name=_("pupil"), on_delete=models.PROTECT,
                              related_name="support_cases")
    school = models.ForeignKey(Organisation, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="support_cases")
    origin = models.CharField(_("opened from"), max_length=20, choices=CaseOrigin.choices)
    reason = models.TextField(_("reason for support"))
    support_level = models.CharField(_("support level when opened"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("case manager"), on_delete=models.PROTECT,
        related_name="managed_cases",
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The municipality sees the case while one of its plans waits for or passed its approval.
    municipality_grant = models.ForeignKey(PupilAccessGrant, on_delete=models.SET_NULL,
                                           null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)  # optimistic locking of edits
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="open"),
                                    name="one_open_case_per_pupil"),
        ]

    def __str__(self) -> str:
        return _("Support case of %(pupil)s") % {"pupil": self.pupil}

    @property
    def support_level_label(self) -> str:
        """The support level when the case was opened, in words."""
        if self.support_level in SupportLevel.values:
            return str(SupportLevel(self.support_level).label)
        return self.support_level


class TeamRole(models.TextChoices):
    CASE_MANAGER = "case_manager", _("Case manager")
    CLASS_TEACHER = "class_teacher", _("Class teacher")
    SPECIALIST = "specialist", _("Support specialist")
    MENTOR = "mentor", _("Mentor")
    PARTNER = "partner", _("Partner-agency worker")
    OTHER = "other", _("Other staff")


class CaseTeamMember(models.Model):
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                             on_delete=models.PROTECT, related_name="case_teams")
    role = models.CharField(_("role in the team"), max_length=20, choices=TeamRole.choices)
    grant = models.ForeignKey(PupilAccessGrant, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    added_on = models.DateField(_("added on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "role"],
                                    condition=Q(removed_on__isnull=True),
                                    name="one_active_team_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    CLOSED = "closed", _("Case closed")
    MANAGER_CHANGED = "manager_changed", _("Case manager changed")
    TEAM_CHANGED = "team_changed", _("Team changed")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    RISK_ASSESSED = "risk_assessed", _("Risks assessed")
    FAMILY_CONTACT = "family_contact", _("Contact with the family")
    REFERRAL = "referral", _("Referral")
    PLAN = "plan", _("Support plan")
    DELIVERY = "delivery", _("Support delivered")
    CONFERENCE = "conference", _("Discussed at a case conference")
    MENTOR = "mentor", _("Mentor")
    NOTE = "note", _("Note")


class CaseEvent(models.Model):
    """One line of the case timeline, written by the actions that change the case."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    summary = models.CharField(_("summary"), max_length=500)
    # Shown only to readers who may see sensitive notes (health, family, behaviour).
    sensitive = models.BooleanField(default=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", null=True)
    happened_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-happened_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class ConsentGiver(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian or foster family")
    INSTITUTION = "institution", _("Care institution")
    ADULT_PUPIL = "adult_pupil", _("The pupil (adult)")


class ConsentMethod(models.TextChoices):
    SIGNED_IN_PERSON = "in_person", _("Signed in person at school")
    SCANNED_PAPER = "scanned", _("Signed paper, scanned")


class ConsentScope(models.TextChoices):
    SUPPORT_PLAN = "support_plan", _("Individual support plan and its measures")
    MUNICIPALITY = "municipality", _("Sharing with the municipality for approval and funding")
    PARTNER_AGENCIES = "partner_agencies", _("Sharing with partner agencies on referral")
    MENTOR = "mentor", _("A mentor")


class Consent(models.Model):
    """The parent's or adult pupil's application and consent. Withdrawal ends sharing."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    guardian = models.ForeignKey(Guardian, verbose_name=_("guardian"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    signer_name = models.CharField(_("name of the signer"), max_length=200)
    scope = models.JSONField(_("consent covers"), default=list)
    method = models.CharField(_("how it was signed"), max_length=12,
                              choices=ConsentMethod.choices)
    scan = models.FileField(_("scanned document"), upload_to="consents/%Y/", blank=True)
    given_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.signer_name} {self.given_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    def covers(self, scope: str) -> bool:
        return self.is_active and scope in self.scope

    @property
    def scope_labels(self) -> list[str]:
        return [str(s.label) for s in ConsentScope if s in self.scope]


class RiskAssessment(models.Model):
    """A dated assessment of the four risk groups; it can be repeated."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return str(self.assessed_on)


class AssessedRisk(models.Model):
    """One factor found in an assessment. Plan measures link to these, with a justification."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE,
                                   related_name="risks")
    group = models.CharField(_("risk group"), max_length=20, choices=RiskGroup.choices)
    factor = models.CharField(_("risk factor"), max_length=40, choices=FACTOR_CHOICES)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessed risk")
        verbose_name_plural = _("assessed risks")
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"],
                                    name="one_factor_per_assessment"),
        ]

    def __str__(self) -> str:
        return str(self.get_factor_display())


class ContactKind(models.TextChoices):
    CALL = "call", _("Phone call")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail or e-class message")
    HOME_VISIT = "home_visit", _("Home visit")


class FamilyContact(models.Model):
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE,
                             related_name="family_contacts")
    contacted_on = models.DateField(_("date"))
    kind = models.CharField(_("kind of contact"), max_length=12, choices=ContactKind.choices)
    guardian = models.ForeignKey(Guardian, verbose_name=_("with"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    with_whom = models.CharField(_("with whom (if not listed)"), max_length=200, blank=True)
    summary = models.TextField(_("what was said or agreed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.contacted_on} {self.get_kind_display()}"


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent of the parent or adult pupil")
    REGULATION_545 = "reg_545", _(
        "Cabinet Regulation No. 545: child-rights cooperation group")
    CHILD_PROTECTION = "child_protection", _("Protection of the Rights of the Child Law")
    REGULATION_89 = "reg_89", _("Cabinet Regulation No. 89: unexcused absences")


class SharedPart(models.TextChoices):
    SUMMARY = "summary", _("Reason for support and case manager")
    INDICATORS = "indicators", _("Attendance, results and behaviour figures")
    RISKS = "risks", _("Risk assessment")
    PLAN = "plan", _("Support plan and its measures")
    FAMILY_CONTACTS = "family_contacts", _("Contacts with the family")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")
    CLOSED = "closed", _("Closed")


class Referral(models.Model):
    """A case referred to a partner agency or the municipal child-rights cooperation group."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(Organisation, verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="referrals_received")
    to_cooperation_group = models.BooleanField(
        _("to the child-rights cooperation group"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    basis_note = models.TextField(_("grounds"), blank=True)
    request = models.TextField(_("what the school asks for"))
    shared_parts = models.JSONField(_("shared with the agency"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING)
    grant = models.ForeignKey(PupilAccessGrant, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    referred_at = models.DateTimeField(_("referred"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agency}"

    @property
    def is_live(self) -> bool:
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)

    def shares(self, part: str) -> bool:
        return part in self.shared_parts

    @property
    def part_labels(self) -> list[str]:
        """What the agency sees, in plain words (the summary is always shared)."""
        parts = {SharedPart.SUMMARY, *self.shared_parts}
        return [str(p.label) for p in SharedPart if p in parts]


MENTOR_MIN_AGE = 13  # "Skola – kopienā": mentors for pupils aged 13 and over


class MentorProfile(models.Model):
    """A trained mentor who can be matched to pupils aged 13+."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="mentor_profile")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="mentors")
    training = models.CharField(_("training programme"), max_length=200, blank=True)
    training_completed_on = models.DateField(_("training completed on"), null=True, blank=True)
    interests = models.CharField(_("interests and strengths"), max_length=300, blank=True)
    max_pupils = models.PositiveSmallIntegerField(_("pupils at most"), default=3)
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_trained(self) -> bool:
        return self.training_completed_on is not None
