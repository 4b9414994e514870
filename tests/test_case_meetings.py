"""The case page's support-team meetings (where the case was discussed, the decisions about
it) for readers of the whole case, and the link from the case list to the municipality's
measures and approval chain for those who may read them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext

from kopiena.accounts.models import User
from kopiena.cases.models import SupportCase
from kopiena.conferences import actions
from kopiena.conferences.models import ActionItem, CaseConference
from tests import case_factories as F
from tests.case_web import CaseViewTestCase, case_url

DAY = dt.timedelta(days=1)


class CaseMeetingsTests(CaseViewTestCase):
    def setUp(self) -> None:
        today = timezone.localdate()
        self.pupil = F.pupil_without_case(self.school_a, of_teacher=self.teacher_a)
        self.case = F.open_case(self.pupil, self.support_a)
        self.other = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        self.earlier = actions.create_conference(
            school=self.school_a, held_on=today - 20 * DAY, title="Sanāksme pirms trim nedēļām",
            participants=[self.support_a, self.psychologist_a], by=self.support_a)
        self.later = actions.create_conference(
            school=self.school_a, held_on=today - 5 * DAY, title="Sanāksme pagājušajā nedēļā",
            by=self.support_a)
        actions.add_case(conference=self.earlier, case=self.case, by=self.support_a,
                         discussion="Kavē pirmdienās; māte nezina iemeslu.")
        actions.add_case(conference=self.later, case=self.case, by=self.support_a,
                         discussion="Pēc sarunas ar māti kavējumu mazāk.")
        actions.add_case(conference=self.later, case=self.other, by=self.support_a,
                         discussion="Citas lietas apspriešana.")
        self.done = self._item(self.earlier, "Piezvanīt mātei", today - 10 * DAY)
        actions.complete_action_item(item=self.done, by=self.support_a, done_on=today - 12 * DAY)
        self.overdue = self._item(self.earlier, "Sagatavot plāna projektu", today - 3 * DAY)
        self.upcoming = self._item(self.later, "Pārbaudīt apmeklējumu", today + 7 * DAY)
        self.foreign = self._item(self.later, "Cits lēmums", today + 7 * DAY, case=self.other)

    def _item(self, conference: CaseConference, text: str, due: dt.date,
              case: SupportCase | None = None) -> ActionItem:
        return actions.add_action_item(
            conference=conference, description=text, owner=self.psychologist_a, due_on=due,
            case=case or self.case, by=self.support_a)

    def _page(self, user: User) -> str:
        response = self.client_for(user).get(case_url(self.case))
        assert response.status_code == 200
        return response.content.decode()

    def test_the_support_team_sees_the_meetings_linked_and_the_decisions(self) -> None:
        with translation.override("lv"):
            words = [gettext("overdue"), gettext("open"), gettext("done")]
        for user in (self.support_a, self.psychologist_a, self.director_a):
            html = self._page(user)
            section = html[html.index('id="meetings"'):]
            assert f'href="/conferences/{self.later.pk}/"' in section
            assert f'href="/conferences/{self.earlier.pk}/"' in section
            # The latest meeting first, each with what was said about this case.
            assert section.index(self.later.title) < section.index(self.earlier.title)
            assert "Pēc sarunas ar māti kavējumu mazāk." in section
            assert "Kavē pirmdienās; māte nezina iemeslu." in section
            assert "Citas lietas apspriešana." not in html
            assert "Cits lēmums" not in html
            # Open decisions by due date, then the done ones; the state is written out.
            order = [section.index(t) for t in ("Sagatavot plāna projektu",
                                                 "Pārbaudīt apmeklējumu", "Piezvanīt mātei")]
            assert order == sorted(order)
            for word in words:
                assert f">{word}</span>" in section, word
            assert f'href="/conferences/{self.earlier.pk}/#item-{self.overdue.pk}"' in section
            assert self.psychologist_a.full_name in section

    def test_the_class_teacher_reads_them_without_links_to_the_meeting(self) -> None:
        html = self._page(self.teacher_a)
        section = html[html.index('id="meetings"'):]
        assert self.later.title in section and self.earlier.title in section
        assert "Pēc sarunas ar māti kavējumu mazāk." in section
        assert "Sagatavot plāna projektu" in section
        assert "/conferences/" not in html

    def test_a_partner_agency_with_a_referral_sees_none_of_it(self) -> None:
        self.refer_to_social_service(self.case)
        html = self._page(self.social_worker)
        assert 'id="meetings"' not in html
        for text in (self.later.title, self.earlier.title, "Pēc sarunas ar māti",
                     "Sagatavot plāna projektu", "Piezvanīt mātei"):
            assert text not in html, text

    def test_a_case_never_discussed_says_so(self) -> None:
        fresh = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        html = self.client_for(self.support_a).get(case_url(fresh)).content.decode()
        with translation.override("lv"):
            note = gettext("The case has not been discussed at a support-team meeting yet.")
        assert note in html


class CatalogueLinkTests(CaseViewTestCase):
    def test_the_case_list_links_the_measures_for_those_who_may_read_them(self) -> None:
        demo_novads = self.school_a.municipality_id
        readers = ((self.support_a, demo_novads), (self.psychologist_a, demo_novads),
                   (self.director_a, demo_novads), (self.municipality_coordinator, demo_novads),
                   (self.support_b, self.school_b.municipality_id))
        for user, municipality_id in readers:
            assert municipality_id is not None
            client = self.client_for(user)
            response = client.get("/cases/")
            assert response.status_code == 200
            assert f'href="/plans/catalogue/{municipality_id}/"' in response.content.decode(), user
            assert client.get(f"/plans/catalogue/{municipality_id}/").status_code == 200, user
        for user in (self.teacher_a, self.teacher_b, self.social_worker):
            response = self.client_for(user).get("/cases/")
            assert response.status_code == 200
            assert "/plans/catalogue/" not in response.content.decode(), user

    def test_the_approvals_page_title_is_plain_text(self) -> None:
        html = self.client_for(self.support_a).get("/plans/approvals/").content.decode()
        title = html.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in title
        assert f'href="/plans/catalogue/{self.school_a.municipality_id}/"' in html
