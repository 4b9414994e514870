"""The case team through the web: adding and removing members, changing the case manager
(with the case version), matching mentors (trained, with a free place, pupils aged 13+) and
keeping mentor profiles."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Role
from kopiena.cases import actions
from kopiena.cases.models import MentorProfile, TeamRole
from kopiena.inbox.models import Notification, NotificationKind
from kopiena.pupils.models import Pupil
from tests import case_factories as F
from tests.case_web import CaseViewTestCase, case_url


class TeamTests(CaseViewTestCase):
    def setUp(self) -> None:
        self.case = F.open_case(F.pupil_without_case(self.school_a, min_age=13),
                                self.support_a)
        self.client_a = self.client_for(self.support_a)

    def test_add_and_remove_a_member_and_change_the_manager(self) -> None:
        added = self.client_a.post(case_url(self.case, "team/add/"), {
            "person": str(self.psychologist_a.pk), "role": TeamRole.SPECIALIST})
        assert added.status_code == 302
        member = self.case.team.get(user=self.psychologist_a, removed_on__isnull=True)
        removed = self.client_a.post(case_url(self.case, f"team/{member.pk}/remove/"))
        assert removed.status_code == 302
        member.refresh_from_db()
        assert member.removed_on == timezone.localdate()

        changed = self.client_a.post(case_url(self.case, "team/manager/"),
                                     {"manager": str(self.psychologist_a.pk)})
        assert changed.status_code == 302
        self.case.refresh_from_db()
        assert self.case.case_manager == self.psychologist_a
        assert Notification.objects.filter(user=self.psychologist_a,
                                           kind=NotificationKind.CASE_ASSIGNED).exists()

    def test_a_stale_form_does_not_overwrite_someone_elses_change(self) -> None:
        seen = self.client_a.get(case_url(self.case, "team/manager/")).context["form"]
        assert seen["version"].value() == self.case.version
        actions.change_case_manager(case=self.case, manager=self.psychologist_a,
                                    by=self.director_a)
        response = self.client_a.post(case_url(self.case, "team/manager/"), {
            "manager": str(self.director_a.pk), "version": str(seen["version"].value())})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        self.case.refresh_from_db()
        assert self.case.case_manager == self.psychologist_a

    def test_someone_from_another_school_is_not_offered(self) -> None:
        response = self.client_a.post(case_url(self.case, "team/add/"), {
            "person": str(self.support_b.pk), "role": TeamRole.OTHER})
        assert response.status_code == 200
        assert response.context["form"].errors["person"]


class MentorTests(CaseViewTestCase):
    def _mentor(self, *, trained: bool = True, free: int = 2) -> User:
        """School A's mentor with ``free`` places beside the pupils mentored now."""
        membership = Membership.objects.filter(organisation=self.school_a,
                                               role=Role.MENTOR).select_related("user").first()
        assert membership is not None, "the demo school A has a mentor"
        mentees = membership.user.case_teams.filter(
            role=TeamRole.MENTOR, removed_on__isnull=True, case__status="open").count()
        MentorProfile.objects.update_or_create(user=membership.user, defaults={
            "organisation": self.school_a, "training": "Skola – kopienā mentoru programma",
            "training_completed_on": dt.date(2025, 5, 1) if trained else None,
            "max_pupils": mentees + free, "is_active": True})
        return membership.user

    def test_a_trained_mentor_is_matched_to_a_pupil_of_13_and_sees_the_case(self) -> None:
        mentor = self._mentor()
        case = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)
        client = self.client_for(self.support_a)
        page = client.get(case_url(case, "team/mentor/"))
        assert page.status_code == 200
        offered = list(page.context["form"].fields["mentor"].queryset)
        assert mentor.pk in [p.user_id for p in offered]
        profile = MentorProfile.objects.get(user=mentor)
        response = client.post(case_url(case, "team/mentor/"), {"mentor": str(profile.pk)})
        assert response.status_code == 302
        assert case.team.filter(user=mentor, role=TeamRole.MENTOR,
                                removed_on__isnull=True).exists()
        # A school mentor sees no pupils by name: the match gives a grant for this pupil.
        assert self.client_for(self.fresh(mentor)).get(case_url(case)).status_code == 200

    def test_no_mentor_for_a_pupil_under_13(self) -> None:
        self._mentor()
        young = next(p for p in Pupil.objects.filter(school=self.school_a,
                                                     school_class__grade__lte=4)
                     .exclude(support_cases__status="open"))
        case = F.open_case(young, self.support_a)
        page = self.client_for(self.support_a).get(case_url(case, "team/mentor/"))
        assert page.status_code == 200
        assert page.context["old_enough"] is False
        assert page.context["hide_submit"] is True

    def test_untrained_or_full_mentors_are_not_offered(self) -> None:
        mentor = self._mentor(trained=False)
        case = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)
        client = self.client_for(self.support_a)
        offered = client.get(case_url(case, "team/mentor/")).context["form"].fields[
            "mentor"].queryset
        assert mentor.pk not in [p.user_id for p in offered]
        self._mentor(free=1)
        other = F.open_case(F.pupil_without_case(self.school_a, min_age=13), self.support_a)
        actions.add_team_member(case=other, user=mentor, role=TeamRole.MENTOR,
                                by=self.support_a)
        offered = client.get(case_url(case, "team/mentor/")).context["form"].fields[
            "mentor"].queryset
        assert mentor.pk not in [p.user_id for p in offered]

    def test_mentor_profiles_are_kept_by_the_support_team(self) -> None:
        client = self.client_for(self.support_a)
        membership = Membership.objects.filter(organisation=self.school_a,
                                               role=Role.MENTOR).first()
        assert membership is not None
        MentorProfile.objects.filter(user=membership.user).delete()
        future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        refused = client.post("/cases/mentors/new/", {
            "person": str(membership.pk), "training": "Mentoru programma",
            "training_completed_on": future, "max_pupils": "3", "is_active": "on"})
        assert refused.status_code == 200
        assert refused.context["form"].errors["training_completed_on"]
        saved = client.post("/cases/mentors/new/", {
            "person": str(membership.pk), "training": "Mentoru programma",
            "training_completed_on": "2025-04-30", "interests": "Basketbols",
            "max_pupils": "3", "is_active": "on"})
        assert saved.status_code == 302
        profile = MentorProfile.objects.get(user=membership.user)
        assert profile.is_trained and profile.organisation == self.school_a
        listing = client.get("/cases/mentors/")
        assert profile in list(listing.context["profiles"])
        client.post(f"/cases/mentors/{profile.pk}/", {
            "training": "Mentoru programma", "training_completed_on": "2025-04-30",
            "interests": "Šahs", "max_pupils": "4"})
        profile.refresh_from_db()
        assert (profile.interests, profile.max_pupils, profile.is_active) == ("Šahs", 4, False)
