"""Permission matrix of the support case screens (policies CASE, CASE_PUPIL and the case
pages under AUTHENTICATED), generated from the URL resolver like the main matrix: every URL
of the cases app, every persona, anonymous. Who gets 200 is written out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.cases import actions
from kopiena.cases.models import CaseTeamMember, Consent, MentorProfile, Referral, SupportCase
from kopiena.pupils.models import ClassStaff, Pupil
from tests import case_factories as F
from tests import people as P
from tests.pdf import requires_pdf_engine
from tests.test_permission_matrix import ROUTES, Route, _client_for, _fill

SCHOOL_A_TEAM = {P.DIRECTOR_A, P.SUPPORT_A, P.PSYCHOLOGIST_A}
CONTRIBUTORS = SCHOOL_A_TEAM | {P.TEACHER_A}
# The class teacher (own pupil), the municipality (shared for approval) and the social
# worker (a pending referral) see the case, each its own parts.
READERS = CONTRIBUTORS | {P.MUNICIPALITY, P.SOCIAL}
MENTOR_KEEPERS = SCHOOL_A_TEAM | {P.SUPPORT_B, P.MUNICIPALITY}
EVERYONE = set(P.ALL_PERSONAS)

# Who gets 200 on each URL of a school A case (everyone else 404).
ON_THE_CASE: dict[str, set[str]] = {
    "cases:detail": READERS,
    "cases:summary_pdf": CONTRIBUTORS,
    "cases:family_contact": CONTRIBUTORS,
    "cases:note": CONTRIBUTORS,
    "cases:team_add": SCHOOL_A_TEAM,
    "cases:team_remove": SCHOOL_A_TEAM,
    "cases:change_manager": SCHOOL_A_TEAM,
    "cases:match_mentor": SCHOOL_A_TEAM,
    "cases:consent_record": SCHOOL_A_TEAM,
    "cases:consent_withdraw": SCHOOL_A_TEAM,
    "cases:consent_scan": SCHOOL_A_TEAM,
    "cases:assess_risks": SCHOOL_A_TEAM,
    "cases:close": SCHOOL_A_TEAM,
    "cases:refer": SCHOOL_A_TEAM,
    "cases:referral_revoke": SCHOOL_A_TEAM,
    "cases:referral_answer": {P.SOCIAL},
}
OTHER_PAGES: dict[str, set[str]] = {
    "cases:list": EVERYONE,
    "cases:mentors": MENTOR_KEEPERS,
    "cases:mentor_create": MENTOR_KEEPERS,
    "cases:mentor_edit": SCHOOL_A_TEAM | {P.MUNICIPALITY},  # a school A mentor
}
# Opening a case, per pupil: 200 shows the form, 302 goes to the pupil's open case.
OWN_CLASS_A, OTHER_CLASS_A, CLASS_B, WITH_CASE = "own_class_a", "other_class_a", "class_b", "case"
OPENS: dict[str, set[str]] = {
    OWN_CLASS_A: CONTRIBUTORS,
    OTHER_CLASS_A: SCHOOL_A_TEAM,
    CLASS_B: {P.SUPPORT_B, P.TEACHER_B},
}


def _case_routes() -> list[Route]:
    return [r for r in ROUTES if r.name.startswith("cases:")]


def test_every_case_url_is_in_the_matrix() -> None:
    names = {r.name for r in _case_routes()}
    assert names == set(ON_THE_CASE) | set(OTHER_PAGES) | {"cases:open"}


@dataclass
class Targets:
    case: SupportCase
    referral: Referral
    consent: Consent
    member: CaseTeamMember
    profile: MentorProfile
    pupils: dict[str, Pupil]


def _class_pupil(teacher: User) -> Pupil:
    own_class = ClassStaff.objects.get(user=teacher, kind="class_teacher").school_class
    pupil = (Pupil.objects.filter(school_class=own_class)
             .exclude(support_cases__status="open").order_by("pk").first())
    assert pupil is not None
    return pupil


@pytest.fixture
def targets(db: None) -> Targets:
    support_a = P.user(P.SUPPORT_A)
    school_a = P.org(P.SCHOOL_A)
    case = F.open_case(_class_pupil(P.user(P.TEACHER_A)), support_a)
    scanned = actions.record_consent(
        case=case, given_by="parent", signer_name="Anna Kalniņa", scope=["support_plan"],
        method="scanned", given_on=timezone.localdate(), recorded_by=support_a,
        scan=SimpleUploadedFile("iesniegums.pdf", b"%PDF-1.4", "application/pdf"))
    social_service = Membership.objects.get(user=P.user(P.SOCIAL)).organisation
    referral = actions.refer_case(case=case, agency=social_service, legal_basis="consent",
                                  request="Lūdzam atbalstu.", shared_parts=["risks"],
                                  by=support_a)
    actions.share_with_municipality(case=case, by=support_a)
    member = actions.add_team_member(case=case, user=P.user(P.PSYCHOLOGIST_A),
                                     role="specialist", by=support_a)
    mentor = Membership.objects.filter(organisation=school_a, role=Role.MENTOR).first()
    assert mentor is not None
    profile, _created = MentorProfile.objects.update_or_create(
        user=mentor.user, defaults={"organisation": school_a, "training": "Programma",
                                    "training_completed_on": dt.date(2025, 5, 1)})
    other_class_a = (Pupil.objects.filter(school=school_a)
                     .exclude(school_class=case.pupil.school_class)
                     .exclude(support_cases__status="open").order_by("pk").first())
    assert other_class_a is not None
    return Targets(case=case, referral=referral, consent=scanned, member=member,
                   profile=profile, pupils={
                       OWN_CLASS_A: _class_pupil(P.user(P.TEACHER_A)),
                       OTHER_CLASS_A: other_class_a,
                       CLASS_B: _class_pupil(P.user(P.TEACHER_B)),
                       WITH_CASE: case.pupil,
                   })


def _case_url(route: Route, t: Targets) -> str:
    return _fill(route.route, case_id=t.case.pk, member_id=t.member.pk,
                 consent_id=t.consent.pk, referral_id=t.referral.pk)


def _route(name: str) -> Route:
    return next(r for r in _case_routes() if r.name == name)


def _check(route: Route, url: str, allowed: set[str], ok: int = 200) -> None:
    anonymous = _client_for(None).get(url)
    assert anonymous.status_code == 302, (route.name, url)
    assert anonymous["Location"].startswith("/accounts/login/")
    for email in P.ALL_PERSONAS:
        response = _client_for(email).get(url)
        expected = ok if email in allowed else 404
        assert response.status_code == expected, (route.name, email, response.status_code)


@pytest.mark.parametrize("name", [n for n in ON_THE_CASE if n != "cases:summary_pdf"])
def test_case_urls(name: str, targets: Targets) -> None:
    route = _route(name)
    _check(route, _case_url(route, targets), ON_THE_CASE[name])


@requires_pdf_engine
def test_case_summary_pdf(targets: Targets) -> None:
    route = _route("cases:summary_pdf")
    _check(route, _case_url(route, targets), ON_THE_CASE["cases:summary_pdf"])


@pytest.mark.parametrize("name", list(OTHER_PAGES))
def test_other_case_pages(name: str, targets: Targets) -> None:
    route = _route(name)
    _check(route, _fill(route.route, profile_id=targets.profile.pk), OTHER_PAGES[name])


@pytest.mark.parametrize("target", list(OPENS))
def test_opening_a_case(target: str, targets: Targets) -> None:
    route = _route("cases:open")
    _check(route, _fill(route.route, pupil_id=targets.pupils[target].pk), OPENS[target])


def test_opening_goes_to_the_open_case_for_its_readers(targets: Targets) -> None:
    url = _fill(_route("cases:open").route, pupil_id=targets.pupils[WITH_CASE].pk)
    for email in P.ALL_PERSONAS:
        response = _client_for(email).get(url)
        if email in READERS:
            assert response.status_code == 302, email
            assert response["Location"] == f"/cases/{targets.case.pk}/"
        else:
            assert response.status_code == 404, email


def test_after_revocation_the_social_worker_gets_404_everywhere(targets: Targets) -> None:
    actions.revoke_referral(referral=targets.referral, by=P.user(P.SUPPORT_A))
    client = _client_for(P.SOCIAL)
    for name in ON_THE_CASE:
        route = _route(name)
        assert client.get(_case_url(route, targets)).status_code == 404, name
