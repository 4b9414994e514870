"""Who reaches the case conference pages (policy CONFERENCE), generated from the URL resolver:
the support team of the conference's school gets 200, everyone else 404, anonymous users
the login page. Also the printable recap."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy
from kopiena.conferences import actions
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.conferences.recap import recap_context
from kopiena.core.pdf import render_document_html
from tests import case_factories as F
from tests import people as P
from tests.pdf import requires_pdf_engine
from tests.test_permission_matrix import ROUTES, Route, _client_for, _fill, policy_of

TEAM_A = {P.DIRECTOR_A, P.SUPPORT_A, P.PSYCHOLOGIST_A}
# The list and the new-conference form: any school's support team.
SUPPORT_TEAMS = TEAM_A | {P.SUPPORT_B}

ROUTES_OF_POLICY = [r for r in ROUTES if policy_of(r) is Policy.CONFERENCE]
PLAIN = [r for r in ROUTES_OF_POLICY if "<" not in r.route]
OF_A_CONFERENCE = [r for r in ROUTES_OF_POLICY if "<" in r.route]
PAGES = [r for r in OF_A_CONFERENCE if r.name in {"conferences:detail", "conferences:edit",
                                                   "conferences:add_cases"}]
CHANGES = [r for r in OF_A_CONFERENCE if r not in PAGES and r.name != "conferences:recap"]


@dataclass(frozen=True)
class Meeting:
    conference: CaseConference
    discussed: DiscussedCase
    item: ActionItem

    def url(self, route: Route) -> str:
        return _fill(route.route, conference_id=self.conference.pk,
                     discussed_id=self.discussed.pk, item_id=self.item.pk)


@pytest.fixture
def meeting(db: None) -> Meeting:
    support_a = P.user(P.SUPPORT_A)
    school_a = P.org(P.SCHOOL_A)
    today = timezone.localdate()
    case = F.open_case(F.pupil_without_case(school_a), support_a)
    conference = actions.create_conference(school=school_a, held_on=today, title="Sanāksme A",
                                           by=support_a, participants=[support_a])
    discussed = actions.add_case(conference=conference, case=case, by=support_a,
                                 discussion="Pārrunāts")
    item = actions.add_action_item(conference=conference, description="Zvanīt mātei",
                                   owner=P.user(P.TEACHER_A), due_on=today + dt.timedelta(3),
                                   case=case, by=support_a)
    return Meeting(conference, discussed, item)


def test_the_policy_covers_every_conference_url() -> None:
    names = {r.name for r in ROUTES_OF_POLICY}
    assert {"conferences:list", "conferences:create", "conferences:detail",
            "conferences:recap", "conferences:item_done"} <= names
    assert PAGES and CHANGES


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", PLAIN, ids=lambda r: r.name)
def test_list_and_new_for_support_teams(route: Route, email: str | None, db: None) -> None:
    response = _client_for(email).get(_fill(route.route))
    if email is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == (200 if email in SUPPORT_TEAMS else 404), email


def test_the_list_shows_only_the_own_schools_conferences(meeting: Meeting) -> None:
    assert "Sanāksme A" in _client_for(P.PSYCHOLOGIST_A).get("/conferences/").content.decode()
    assert "Sanāksme A" not in _client_for(P.SUPPORT_B).get("/conferences/").content.decode()


@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_conference_pages(route: Route, email: str | None, meeting: Meeting) -> None:
    response = _client_for(email).get(meeting.url(route))
    if email is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == (200 if email in TEAM_A else 404), email


@pytest.mark.parametrize("email", [None, *(e for e in P.ALL_PERSONAS if e not in TEAM_A)])
@pytest.mark.parametrize("route", CHANGES, ids=lambda r: r.name)
def test_changes_refused_outside_the_team(route: Route, email: str | None,
                                          meeting: Meeting) -> None:
    data = {"minutes": "Svešs", "version": 1, "description": "Svešs",
            "owner": P.user(P.SUPPORT_A).pk, "due_on": "2030-01-01",
            f"d{meeting.discussed.pk}-discussion": "Svešs", f"d{meeting.discussed.pk}-version": 1}
    response = _client_for(email).post(meeting.url(route), data)
    if email is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404, email
    meeting.conference.refresh_from_db()
    assert meeting.conference.minutes == ""
    assert DiscussedCase.objects.get(pk=meeting.discussed.pk).discussion == "Pārrunāts"
    assert ActionItem.objects.filter(conference=meeting.conference).count() == 1
    meeting.item.refresh_from_db()
    assert meeting.item.done_on is None


def test_the_owner_marks_done_in_the_inbox_not_someone_else(meeting: Meeting) -> None:
    url = f"/inbox/action-items/{meeting.item.pk}/done/"
    assert _client_for(P.TEACHER_B).post(url).status_code == 404
    assert _client_for(P.SUPPORT_A).post(url).status_code == 404  # not the owner: page is own
    assert Client().post(url).status_code == 302
    meeting.item.refresh_from_db()
    assert meeting.item.done_on is None
    assert _client_for(P.TEACHER_A).post(url).status_code == 302
    meeting.item.refresh_from_db()
    assert meeting.item.done_on is not None


@requires_pdf_engine
@pytest.mark.parametrize("email", [None, *P.ALL_PERSONAS])
def test_recap_pdf(email: str | None, meeting: Meeting) -> None:
    response = _client_for(email).get(f"/conferences/{meeting.conference.pk}/recap.pdf")
    if email is None:
        assert response.status_code == 302
        return
    if email not in TEAM_A:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT,
                                          path__endswith="recap.pdf").latest("pk")
    pupil = meeting.discussed.case.pupil
    assert list(entry.pupils.values_list("pupil_id", flat=True)) == [pupil.pk]


@requires_pdf_engine
def test_recap_content_in_latvian_on_at_most_two_pages(meeting: Meeting) -> None:
    import weasyprint  # type: ignore[import-untyped]

    html = render_document_html("conferences/recap.html", recap_context(meeting.conference))
    pupil = meeting.discussed.case.pupil
    assert pupil.full_name in html
    assert "Zvanīt mātei" in html and "Pārrunāts" in html
    assert P.user(P.TEACHER_A).full_name in html  # the owner of the decision
    assert 'lang="lv"' in html
    pages = weasyprint.HTML(string=html).render().pages
    assert 1 <= len(pages) <= 2
