"""Changes to a support case. Each function makes one transactional change, writes the case
timeline and fires notifications after commit. Views, the API, commands and the demo seed
all call these; none of them writes case models directly.

Callers check *who* may act (``kopiena.cases.access``); these functions check that the change
itself is allowed by the rules (consent, legal basis, age, status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopiena.access.models import PupilAccessGrant
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.cases.mentors import current_mentees
from kopiena.cases.models import (
    MENTOR_MIN_AGE,
    AssessedRisk,
    CaseEvent,
    CaseOrigin,
    CaseStatus,
    CaseTeamMember,
    Consent,
    ConsentScope,
    EventKind,
    FamilyContact,
    LegalBasis,
    MentorProfile,
    Referral,
    ReferralStatus,
    RiskAssessment,
    SupportCase,
    TeamRole,
)
from kopiena.cases.risk_factors import FACTORS_BY_KEY
from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.inbox.actions import notify
from kopiena.inbox.models import NotificationKind
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import Pupil


def record_event(case: SupportCase, *, kind: str, summary: str, actor: User | None,
                 sensitive: bool = False, at: dt.datetime | None = None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, summary=summary[:500], actor=actor,
                                    sensitive=sensitive, happened_at=at or timezone.now())


def case_url(case: SupportCase) -> str:
    return reverse("cases:detail", args=[case.pk])


def default_case_manager(school: Organisation) -> User | None:
    """The school's support coordinator (the first, if there are several); the director
    when the school has no support coordinator in Kopiena."""
    for role in (Role.SUPPORT_COORDINATOR, Role.SCHOOL_DIRECTOR):
        membership = (Membership.objects.filter(organisation=school, role=role,
                                                is_active=True, user__is_active=True)
                      .select_related("user").order_by("pk").first())
        if membership is not None:
            return membership.user
    return None


def staff_of(school_id: int, *roles: Role) -> list[User]:
    return [m.user for m in Membership.objects.filter(
        organisation_id=school_id, role__in=list(roles), user__is_active=True,
    ).select_related("user")]


@transaction.atomic
def open_case(*, pupil: Pupil, origin: str, reason: str, opened_by: User,
              case_manager: User | None = None, opened_on: dt.date | None = None) -> SupportCase:
    """Open a support case; a pupil has at most one open case."""
    if origin not in CaseOrigin.values:
        raise ValidationError(_("Choose how the case came about."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the pupil needs support.")})
    if SupportCase.objects.filter(pupil=pupil, status=CaseStatus.OPEN).exists():
        raise ValidationError(_("This pupil already has an open support case."))
    school = pupil.school
    if school is None or pupil.school_id is None:
        raise ValidationError(_("The pupil is not enrolled at a school."))
    manager = case_manager or default_case_manager(school) or opened_by
    status = PupilSupportStatus.objects.filter(pupil=pupil).only("level").first()
    case = SupportCase.objects.create(
        pupil=pupil, school=school, origin=origin, reason=reason.strip(),
        support_level=status.level if status is not None else "", case_manager=manager,
        opened_by=opened_by, opened_on=opened_on or timezone.localdate(),
    )
    CaseTeamMember.objects.create(case=case, user=manager, role=TeamRole.CASE_MANAGER,
                                  added_on=case.opened_on)
    if opened_by.pk != manager.pk:
        CaseTeamMember.objects.create(case=case, user=opened_by,
                                      role=_team_role_of(opened_by, school.pk),
                                      added_on=case.opened_on)
    record_event(case, kind=EventKind.OPENED, actor=opened_by,
                 summary=_("%(origin)s: %(reason)s") % {
                     "origin": CaseOrigin(origin).label, "reason": case.reason})
    if manager.pk != opened_by.pk:
        notify([manager], kind=NotificationKind.CASE_ASSIGNED, url=case_url(case), is_task=True,
               title=_("New support case of %(pupil)s: you are the case manager")
               % {"pupil": pupil.full_name})
    return case


def _team_role_of(user: User, school_id: int) -> str:
    roles = {Role(m.role) for m in user.active_memberships() if m.organisation_id == school_id}
    if Role.CLASS_TEACHER in roles:
        return TeamRole.CLASS_TEACHER
    if roles & {Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SPECIAL_PEDAGOGUE,
                Role.SPEECH_THERAPIST}:
        return TeamRole.SPECIALIST
    return TeamRole.OTHER


def _check_open(case: SupportCase) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is closed."))


def _claim_version(case: SupportCase, version: int | None) -> None:
    """Optimistic locking of changes to the case itself: with ``version`` (what the person saw
    when the form was opened) the change applies only if nobody changed the case meanwhile."""
    cases = SupportCase.objects.filter(pk=case.pk)
    if version is not None:
        cases = cases.filter(version=version)
    if not cases.update(version=F("version") + 1):
        raise ValidationError(_("Someone else changed this case meanwhile. Reload the page to "
                                "see the change, then try again."))
    case.version = (version or case.version) + 1


@transaction.atomic
def change_case_manager(*, case: SupportCase, manager: User, by: User,
                        version: int | None = None) -> None:
    _check_open(case)
    if not manager.active_memberships() or all(
        m.organisation_id != case.school_id for m in manager.active_memberships()
    ):
        raise ValidationError(_("The case manager must work at the pupil's school."))
    _claim_version(case, version)
    CaseTeamMember.objects.filter(case=case, role=TeamRole.CASE_MANAGER,
                                  removed_on__isnull=True).update(removed_on=timezone.localdate())
    CaseTeamMember.objects.create(case=case, user=manager, role=TeamRole.CASE_MANAGER,
                                  added_on=timezone.localdate())
    SupportCase.objects.filter(pk=case.pk).update(case_manager=manager)
    case.case_manager = manager
    record_event(case, kind=EventKind.MANAGER_CHANGED, actor=by,
                 summary=_("Case manager: %(name)s") % {"name": manager.full_name})
    notify([manager], kind=NotificationKind.CASE_ASSIGNED, url=case_url(case), is_task=True,
           title=_("You are the case manager of %(pupil)s") % {"pupil": case.pupil.full_name})


@transaction.atomic
def add_team_member(*, case: SupportCase, user: User, role: str, by: User) -> CaseTeamMember:
    _check_open(case)
    if role not in TeamRole.values or role == TeamRole.CASE_MANAGER:
        raise ValidationError(_("Choose the person's role in the team."))
    if CaseTeamMember.objects.filter(case=case, user=user, role=role,
                                     removed_on__isnull=True).exists():
        raise ValidationError(_("%(name)s is already in the team.") % {"name": user.full_name})
    grant = None
    at_school = any(m.organisation_id == case.school_id for m in user.active_memberships())
    if role == TeamRole.MENTOR:
        _check_mentor(case, user)
    if not at_school and not active_consent(
            case, ConsentScope.MENTOR if role == TeamRole.MENTOR
            else ConsentScope.PARTNER_AGENCIES):
        raise ValidationError(_("Sharing the case outside the school needs the parent's "
                                "consent. Record the consent first."))
    if not visible_pupils(user).filter(pk=case.pupil_id).exists():
        # Someone from outside the school (a mentor from a partner organisation), or a
        # school mentor who sees no pupils by name, sees this pupil only through a personal
        # grant, which ends when they leave the team.
        grant = PupilAccessGrant.objects.create(
            pupil=case.pupil, kind=PupilAccessGrant.Kind.MENTOR, user=user, granted_by=by,
            reason=_("Member of support case team"))
        if not visible_pupils(user).filter(pk=case.pupil_id).exists():
            raise ValidationError(_("%(name)s has no role in Kopiena that can be given access "
                                    "to a pupil's case.") % {"name": user.full_name})
    member = CaseTeamMember.objects.create(case=case, user=user, role=role, grant=grant,
                                           added_on=timezone.localdate())
    record_event(case, kind=EventKind.MENTOR if role == TeamRole.MENTOR else EventKind.TEAM_CHANGED,
                 actor=by, summary=_("%(name)s joined the team as %(role)s") % {
                     "name": user.full_name, "role": TeamRole(role).label})
    notify([user], kind=NotificationKind.CASE_ASSIGNED, url=case_url(case),
           title=_("You were added to the support team of %(pupil)s")
           % {"pupil": case.pupil.full_name})
    return member


def _check_mentor(case: SupportCase, user: User) -> None:
    profile = MentorProfile.objects.filter(user=user).first()
    if profile is None or not profile.is_trained:
        raise ValidationError(_("Only a mentor who has completed the mentor training can be "
                                "matched to a pupil."))
    if case.pupil.age_on(timezone.localdate()) < MENTOR_MIN_AGE:
        raise ValidationError(_("Mentors support pupils aged %(age)d and over.")
                              % {"age": MENTOR_MIN_AGE})
    if not profile.is_active:
        raise ValidationError(_("This mentor is not taking pupils at the moment."))
    if current_mentees(profile) >= profile.max_pupils:
        raise ValidationError(ngettext(
            "%(name)s already mentors %(count)d pupil, the most they take.",
            "%(name)s already mentors %(count)d pupils, the most they take.",
            profile.max_pupils) % {"name": user.full_name, "count": profile.max_pupils})


@transaction.atomic
def remove_team_member(*, member: CaseTeamMember, by: User) -> None:
    if member.role == TeamRole.CASE_MANAGER:
        raise ValidationError(_("Choose another case manager instead."))
    CaseTeamMember.objects.filter(pk=member.pk).update(removed_on=timezone.localdate())
    if member.grant_id is not None:
        PupilAccessGrant.objects.filter(pk=member.grant_id).update(revoked_at=timezone.now())
    record_event(member.case, kind=EventKind.TEAM_CHANGED, actor=by,
                 summary=_("%(name)s left the team") % {"name": member.user.full_name})


def active_consent(case: SupportCase, scope: str | None = None) -> Consent | None:
    for consent in case.consents.filter(withdrawn_on__isnull=True).order_by("-given_on"):
        if scope is None or scope in consent.scope:
            return consent
    return None


@transaction.atomic
def record_consent(*, case: SupportCase, given_by: str, signer_name: str, scope: Iterable[str],
                   method: str, given_on: dt.date, recorded_by: User,
                   guardian_id: int | None = None, scan: object | None = None) -> Consent:
    _check_open(case)
    scopes = sorted(set(scope))
    if not scopes or any(s not in ConsentScope.values for s in scopes):
        raise ValidationError({"scope": _("Tick what the consent covers.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date of signing cannot be in the future.")})
    if method == "scanned" and not scan:
        raise ValidationError({"scan": _("Attach the scanned signed application.")})
    consent = Consent(case=case, given_by=given_by, signer_name=signer_name.strip(),
                      scope=scopes, method=method, given_on=given_on, recorded_by=recorded_by,
                      guardian_id=guardian_id)
    if scan:
        consent.scan = scan
    consent.full_clean()
    consent.save()
    record_event(case, kind=EventKind.CONSENT_RECORDED, actor=recorded_by,
                 summary=_("Consent signed by %(name)s on %(date)s") % {
                     "name": consent.signer_name, "date": given_on.strftime("%d.%m.%Y")})
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, withdrawn_on: dt.date, note: str, by: User) -> int:
    """Record the withdrawal and stop sharing at once: live referrals, the municipality's view
    and outside team members lose access in this transaction. Returns the grants revoked."""
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=withdrawn_on, withdrawn_by=by,
                                                 withdrawal_note=note)
    consent.withdrawn_on = withdrawn_on
    case = consent.case
    revoked = 0
    if active_consent(case) is None:
        revoked = stop_sharing(case=case, by=by, keep_legal_basis=True)
    record_event(case, kind=EventKind.CONSENT_WITHDRAWN, actor=by,
                 summary=_("Consent withdrawn on %(date)s") % {
                     "date": withdrawn_on.strftime("%d.%m.%Y")})
    return revoked


def stop_sharing(*, case: SupportCase, by: User, keep_legal_basis: bool) -> int:
    """Revoke every grant that rests on consent (referrals on a legal basis other than consent
    stay when ``keep_legal_basis``)."""
    case = SupportCase.objects.select_for_update().get(pk=case.pk)  # the caller's may be stale
    now = timezone.now()
    referrals = case.referrals.filter(status__in=(ReferralStatus.PENDING,
                                                  ReferralStatus.ACCEPTED))
    if keep_legal_basis:
        referrals = referrals.filter(legal_basis=LegalBasis.CONSENT)
    grant_ids = [r.grant_id for r in referrals if r.grant_id is not None]
    for referral in referrals.select_related("agency"):
        _notify_agency(referral, kind=NotificationKind.REFERRAL_REVOKED,
                       title=_("Referral of a support case was revoked"))
    referrals.update(status=ReferralStatus.REVOKED, revoked_at=now)
    if case.municipality_grant_id is not None:
        grant_ids.append(case.municipality_grant_id)
    outside = CaseTeamMember.objects.filter(case=case, grant__isnull=False,
                                            removed_on__isnull=True)
    grant_ids += [m.grant_id for m in outside if m.grant_id is not None]
    outside.update(removed_on=timezone.localdate())
    return PupilAccessGrant.objects.filter(pk__in=grant_ids, revoked_at__isnull=True
                                           ).update(revoked_at=now)


@transaction.atomic
def record_risk_assessment(*, case: SupportCase, assessed_on: dt.date, by: User,
                           factors: dict[str, str], summary: str = "") -> RiskAssessment:
    """``factors`` maps each risk factor found to its note."""
    _check_open(case)
    if not factors:
        raise ValidationError(_("Tick at least one risk factor the team found."))
    unknown = [key for key in factors if key not in FACTORS_BY_KEY]
    if unknown:
        raise ValidationError(_("Unknown risk factor: %(key)s") % {"key": ", ".join(unknown)})
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The assessment cannot be dated in the future.")})
    assessment = RiskAssessment.objects.create(case=case, assessed_on=assessed_on,
                                               assessed_by=by, summary=summary.strip())
    AssessedRisk.objects.bulk_create([
        AssessedRisk(assessment=assessment, group=FACTORS_BY_KEY[key].group, factor=key,
                     note=note.strip())
        for key, note in factors.items()
    ])
    groups = sorted({str(FACTORS_BY_KEY[k].group.label) for k in factors})
    record_event(case, kind=EventKind.RISK_ASSESSED, actor=by,
                 summary=_("Risks assessed: %(groups)s") % {"groups": "; ".join(groups)})
    return assessment


def latest_assessment(case: SupportCase) -> RiskAssessment | None:
    return case.assessments.order_by("-assessed_on", "-pk").first()


@transaction.atomic
def record_family_contact(*, case: SupportCase, contacted_on: dt.date, kind: str,
                          summary: str, by: User, guardian_id: int | None = None,
                          with_whom: str = "") -> FamilyContact:
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("The date cannot be in the future.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write what was said or agreed.")})
    if guardian_id is not None and not case.pupil.guardian_links.filter(
            guardian_id=guardian_id).exists():
        raise ValidationError({"guardian": _("Choose one of the pupil's guardians.")})
    contact = FamilyContact.objects.create(
        case=case, contacted_on=contacted_on, kind=kind, guardian_id=guardian_id,
        with_whom=with_whom.strip(), summary=summary.strip(), recorded_by=by)
    record_event(case, kind=EventKind.FAMILY_CONTACT, actor=by, sensitive=True,
                 summary=f"{contact.get_kind_display()}: {contact.summary}")
    return contact


def _notify_agency(referral: Referral, *, kind: str, title: str) -> None:
    """The agency's workers; for the child-rights cooperation group, the coordinators of the
    municipality, who convene it."""
    role = (Role.MUNICIPALITY_COORDINATOR if referral.to_cooperation_group
            else Role.PARTNER_WORKER)
    workers = [m.user for m in Membership.objects.filter(
        organisation_id=referral.agency_id, role=role, is_active=True, user__is_active=True,
    ).select_related("user")]
    notify(workers, kind=kind, title=title, is_task=kind == NotificationKind.REFERRAL_RECEIVED,
           url=reverse("cases:detail", args=[referral.case_id]))


@transaction.atomic
def refer_case(*, case: SupportCase, agency: Organisation, legal_basis: str, request: str,
               shared_parts: Iterable[str], by: User, basis_note: str = "",
               to_cooperation_group: bool = False) -> Referral:
    """Refer the case to a partner agency: only with consent or a recorded legal basis."""
    _check_open(case)
    if not agency.is_partner_agency and not (to_cooperation_group and agency.is_municipality):
        raise ValidationError({"agency": _("Choose a partner agency.")})
    if agency.municipality_id != case.school.municipality_id:
        raise ValidationError({"agency": _("Choose an agency of the school's municipality.")})
    if legal_basis == LegalBasis.CONSENT:
        if active_consent(case, ConsentScope.PARTNER_AGENCIES) is None:
            raise ValidationError({"legal_basis": _(
                "There is no consent to share the case with partner agencies. Record the "
                "consent, or choose the legal basis on which the school refers the case.")})
    elif legal_basis in LegalBasis.values:
        if not basis_note.strip():
            raise ValidationError({"basis_note": _(
                "Write the grounds: why the law allows the referral without consent.")})
    else:
        raise ValidationError({"legal_basis": _("Choose the legal basis of the referral.")})
    if not request.strip():
        raise ValidationError({"request": _("Write what the school asks the agency to do.")})
    if case.referrals.filter(agency=agency, status__in=(ReferralStatus.PENDING,
                                                         ReferralStatus.ACCEPTED)).exists():
        raise ValidationError({"agency": _("The case is already referred to this agency.")})
    grant = PupilAccessGrant.objects.create(
        pupil=case.pupil, kind=PupilAccessGrant.Kind.REFERRAL, organisation=agency,
        granted_by=by, reason=request.strip()[:500])
    referral = Referral.objects.create(
        case=case, agency=agency, legal_basis=legal_basis, basis_note=basis_note.strip(),
        request=request.strip(), shared_parts=sorted(set(shared_parts)), grant=grant,
        referred_by=by, referred_at=timezone.now(), to_cooperation_group=to_cooperation_group)
    record_event(case, kind=EventKind.REFERRAL, actor=by,
                 summary=_("Referred to %(agency)s") % {"agency": agency.name})
    _notify_agency(referral, kind=NotificationKind.REFERRAL_RECEIVED,
                   title=_("New referral from %(school)s") % {"school": case.school.name})
    return referral


@transaction.atomic
def answer_referral(*, referral: Referral, accept: bool, answer: str, by: User) -> Referral:
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(_("This referral has already been answered or revoked."))
    if not accept and not answer.strip():
        raise ValidationError({"answer": _("Write why the agency declines.")})
    now = timezone.now()
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.answered_by, referral.answered_at, referral.answer = by, now, answer.strip()
    referral.save(update_fields=["status", "answered_by", "answered_at", "answer"])
    if not accept and referral.grant_id is not None:
        PupilAccessGrant.objects.filter(pk=referral.grant_id).update(revoked_at=now)
    case = referral.case
    summary = (_("%(agency)s accepted the referral") if accept
               else _("%(agency)s declined the referral")) % {"agency": referral.agency.name}
    record_event(case, kind=EventKind.REFERRAL, actor=by, summary=summary)
    notify([case.case_manager, referral.referred_by], kind=NotificationKind.REFERRAL_ANSWERED,
           url=case_url(case), title=f"{summary}: {case.pupil.full_name}")
    return referral


@transaction.atomic
def revoke_referral(*, referral: Referral, by: User, reason: str = "") -> None:
    """The school takes the referral back: the agency's access ends at once."""
    if referral.status not in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED):
        raise ValidationError(_("This referral is no longer active."))
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.REVOKED, revoked_at=now)
    if referral.grant_id is not None:
        PupilAccessGrant.objects.filter(pk=referral.grant_id).update(revoked_at=now)
    record_event(referral.case, kind=EventKind.REFERRAL, actor=by,
                 summary=_("Referral to %(agency)s revoked. %(reason)s") % {
                     "agency": referral.agency.name, "reason": reason})
    _notify_agency(referral, kind=NotificationKind.REFERRAL_REVOKED,
                   title=_("Referral of a support case was revoked"))


@transaction.atomic
def share_with_municipality(*, case: SupportCase, by: User) -> PupilAccessGrant | None:
    """Let the municipality see the case (for plan approval and funding). Needs consent."""
    municipality_id = case.school.municipality_id
    if municipality_id is None:
        return None
    if case.municipality_grant_id is not None and case.municipality_grant is not None and (
            case.municipality_grant.revoked_at is None):
        return case.municipality_grant
    if active_consent(case, ConsentScope.MUNICIPALITY) is None:
        raise ValidationError(_("The consent does not cover sharing with the municipality. "
                                "Record a consent that does."))
    grant = PupilAccessGrant.objects.create(
        pupil=case.pupil, kind=PupilAccessGrant.Kind.SHARED_WITH_MUNICIPALITY,
        organisation_id=municipality_id, granted_by=by, reason=_("Support plan approval"))
    SupportCase.objects.filter(pk=case.pk).update(municipality_grant=grant)
    case.municipality_grant = grant
    return grant


@transaction.atomic
def add_note(*, case: SupportCase, text: str, by: User, sensitive: bool = False) -> CaseEvent:
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    return record_event(case, kind=EventKind.NOTE, summary=text.strip(), actor=by,
                        sensitive=sensitive)


@transaction.atomic
def close_case(*, case: SupportCase, by: User, reason: str,
               closed_on: dt.date | None = None, version: int | None = None) -> None:
    _check_open(case)
    from kopiena.plans.workflow import ACTIVE  # plans depend on cases, not the other way

    if case.plans.filter(status__in=ACTIVE).exists():
        raise ValidationError(_("Evaluate or end the running support plan first."))
    day = closed_on or timezone.localdate()
    _claim_version(case, version)
    SupportCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=day)
    case.status, case.closed_on = CaseStatus.CLOSED, day
    stop_sharing(case=case, by=by, keep_legal_basis=False)
    CaseTeamMember.objects.filter(case=case, removed_on__isnull=True).exclude(
        role=TeamRole.CASE_MANAGER).update(removed_on=day)
    record_event(case, kind=EventKind.CLOSED, actor=by,
                 summary=_("Case closed: %(reason)s") % {"reason": reason})
