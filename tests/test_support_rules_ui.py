"""The support rules screens: rules in plain words, a municipality's changes for its schools,
a school's tightenings, refused loosening, deactivation, concurrent edits, the history."""

from __future__ import annotations

import re
from decimal import Decimal

from auditlog.models import LogEntry
from django.test import Client

from kopiena.accounts.models import User
from kopiena.earlywarning.models import SupportRule
from kopiena.earlywarning.rule_forms import version_of
from kopiena.earlywarning.rules import rules_for, save_support_rule
from kopiena.organisations.models import Organisation
from tests.base import BaseTestCase

ATTENDANCE = "attendance_rate_30d"
TARGETED = "targeted"


class SupportRulesTests(BaseTestCase):
    municipality: Organisation

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        assert cls.school_a.parent is not None
        cls.municipality = cls.school_a.parent

    def client_for(self, user: User) -> Client:
        client = super().client_for(user)
        client.cookies["django_language"] = "en"
        return client

    # helpers

    def in_force(self, school: Organisation, indicator: str = ATTENDANCE,
                 level: str = TARGETED) -> SupportRule:
        [rule] = [r for r in rules_for(school) if r.key == (indicator, level)]
        return rule

    def add_url(self, organisation: Organisation) -> str:
        return f"/support/rules/{organisation.pk}/add/"

    def change_url(self, rule: SupportRule) -> str:
        return f"/support/rules/{rule.organisation_id}/{rule.pk}/change/"

    def rules_url(self, organisation: Organisation) -> str:
        return f"/support/rules/{organisation.pk}/"

    def own_rule(self, organisation: Organisation, threshold: str, *, user: User | None = None,
                 indicator: str = ATTENDANCE, level: str = TARGETED) -> SupportRule:
        return save_support_rule(rule=SupportRule(
            organisation=organisation, indicator=indicator, level=level, comparison="<",
            threshold=Decimal(threshold), source="Test"), user=user)

    def post_rule(self, user: User, organisation: Organisation, threshold: str,
                  **extra: str) -> Client:
        client = self.client_for(user)
        self.last_response = client.post(self.add_url(organisation), {
            "indicator": ATTENDANCE, "level": TARGETED, "comparison": "<",
            "threshold": threshold, "reason_template": "", "source": "Council decision 7",
            **extra})
        return client

    # the page

    def test_rules_are_grouped_by_indicator_in_plain_words_with_their_source(self) -> None:
        response = self.client_for(self.support_a).get(self.rules_url(self.school_a))
        assert response.status_code == 200
        groups = {g.indicator: g for g in response.context["groups"]}
        attendance = groups[ATTENDANCE]
        assert attendance.label == "Attendance rate, last 30 school days"
        rows = {row.rule.level: row for row in attendance.rows}
        assert [row.rule.level for row in attendance.rows] == ["universal", "targeted",
                                                               "intensive"]
        assert rows[TARGETED].condition == "below 90%"
        assert rows[TARGETED].level_label == "Targeted support"
        assert rows[TARGETED].origin_label == "Default"
        assert "attendance thresholds" in rows[TARGETED].rule.source
        unexcused = {r.rule.level: r for r in groups["unexcused_lessons_semester"].rows}
        assert unexcused["intensive"].condition == "above 20"
        assert unexcused[TARGETED].condition == "10 or above"
        html = response.content.decode()
        assert "below 90%" in html and "Targeted support" in html
        assert "Regulation No. 89" in html
        # Read-only for a support specialist: no actions.
        psychologist = self.client_for(self.psychologist_a).get(self.rules_url(self.school_a))
        assert psychologist.context["can_edit"] is False
        assert "/add/" not in psychologist.content.decode()

    def test_the_overviews_link_to_the_rules(self) -> None:
        school = self.client_for(self.director_a).get(f"/support/schools/{self.school_a.pk}/")
        assert f'href="{self.rules_url(self.school_a)}"' in school.content.decode()
        municipality = self.client_for(self.municipality_coordinator).get(
            f"/support/municipalities/{self.municipality.pk}/")
        assert f'href="{self.rules_url(self.municipality)}"' in municipality.content.decode()

    # a municipality's rules

    def test_a_municipality_rule_changes_the_rules_of_its_schools(self) -> None:
        assert self.in_force(self.school_a).threshold == Decimal("0.9")
        self.post_rule(self.municipality_coordinator, self.municipality, "92")
        assert self.last_response.status_code == 302
        for school in (self.school_a, self.school_b):
            rule = self.in_force(school)
            assert (rule.organisation_id, rule.threshold) == (self.municipality.pk,
                                                              Decimal("0.92"))
        assert self.in_force(self.other_municipality_school).threshold == Decimal("0.9")
        rule = self.in_force(self.school_a)
        assert rule.changed_by == self.municipality_coordinator
        assert rule.source == "Council decision 7"
        page = self.client_for(self.director_a).get(self.rules_url(self.school_a))
        [row] = [r for g in page.context["groups"] for r in g.rows if r.rule.pk == rule.pk]
        assert row.origin_label == "Municipality: Demo novads"
        assert row.condition == "below 92%"
        assert row.replaces == "below 90% (Default)"

    def test_the_add_form_is_prefilled_from_the_rule_it_replaces(self) -> None:
        response = self.client_for(self.municipality_coordinator).get(
            self.add_url(self.municipality), {"indicator": ATTENDANCE, "level": TARGETED})
        form = response.context["form"]
        assert form["indicator"].value() == ATTENDANCE
        assert form["comparison"].value() == "<"
        assert str(form["threshold"].value()) == "90"
        assert "below 90%" in response.context["inherited_text"]

    def test_a_municipality_deactivates_its_rule_and_the_default_applies_again(self) -> None:
        rule = self.own_rule(self.municipality, "0.93", user=self.municipality_coordinator)
        assert self.in_force(self.school_a).pk == rule.pk
        client = self.client_for(self.municipality_coordinator)
        response = client.post(f"/support/rules/{self.municipality.pk}/{rule.pk}/deactivate/",
                               {"version": version_of(rule)})
        assert response.status_code == 302
        rule.refresh_from_db()
        assert not rule.is_active
        assert self.in_force(self.school_a).organisation_id is None
        assert self.in_force(self.school_a).threshold == Decimal("0.9")

    def test_deactivating_a_rule_changed_meanwhile_is_refused(self) -> None:
        rule = self.own_rule(self.municipality, "0.93", user=self.municipality_coordinator)
        stale = version_of(rule)
        rule.threshold = Decimal("0.94")
        save_support_rule(rule=rule, user=self.admin)
        client = self.client_for(self.municipality_coordinator)
        response = client.post(f"/support/rules/{self.municipality.pk}/{rule.pk}/deactivate/",
                               {"version": stale}, follow=True)
        rule.refresh_from_db()
        assert rule.is_active
        assert "was changed by someone else" in response.content.decode()

    def test_a_school_cannot_deactivate_its_rule(self) -> None:
        rule = self.own_rule(self.school_a, "0.95", user=self.director_a)
        response = self.client_for(self.director_a).post(
            f"/support/rules/{self.school_a.pk}/{rule.pk}/deactivate/",
            {"version": version_of(rule)})
        assert response.status_code == 404
        rule.refresh_from_db()
        assert rule.is_active

    # a school's rules

    def test_a_school_tightens_the_rule_in_force(self) -> None:
        self.post_rule(self.director_a, self.school_a, "95")
        assert self.last_response.status_code == 302
        rule = self.in_force(self.school_a)
        assert (rule.organisation_id, rule.threshold) == (self.school_a.pk, Decimal("0.95"))
        assert rule.changed_by == self.director_a
        assert self.in_force(self.school_b).threshold == Decimal("0.9")

    def test_a_school_cannot_loosen_and_keeps_what_was_typed(self) -> None:
        self.post_rule(self.support_a, self.school_a, "85", reason_template="Below %(threshold)s",
                       source="Our own idea")
        response = self.last_response
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "A school can only tighten the rule it inherits" in errors["threshold"][0]
        html = response.content.decode()
        assert re.search(r'<input[^>]*name="threshold"[^>]*value="85"', html)
        assert 'value="Below %(threshold)s"' in html
        assert "Our own idea</textarea>" in html
        assert re.search(r'<option value="attendance_rate_30d" selected>', html)
        assert 'aria-invalid="true"' in html and 'id="id_threshold_error"' in html
        assert not SupportRule.objects.filter(organisation=self.school_a).exists()
        assert self.in_force(self.school_a).threshold == Decimal("0.9")

    def test_a_school_must_tighten_the_municipality_rule_not_only_the_default(self) -> None:
        self.own_rule(self.municipality, "0.94")
        self.post_rule(self.director_a, self.school_a, "92")  # tighter than the default only
        assert self.last_response.status_code == 200
        assert "municipality's" in self.last_response.context["form"].errors["threshold"][0]
        self.post_rule(self.director_a, self.school_a, "96")
        assert self.last_response.status_code == 302
        assert self.in_force(self.school_a).threshold == Decimal("0.96")

    def test_invalid_values_are_explained_and_kept(self) -> None:
        self.post_rule(self.director_a, self.school_a, "150", source="Kept source")
        response = self.last_response
        assert response.status_code == 200
        assert response.context["form"].errors["threshold"] == [
            "Enter a percentage between 0 and 100."]
        html = response.content.decode()
        assert 'value="150"' in html and "Kept source" in html
        assert 'class="error-summary"' in html and 'href="#id_threshold"' in html
        self.post_rule(self.director_a, self.school_a, "9.5", indicator="late_semester",
                       comparison=">=")
        assert self.last_response.context["form"].errors["threshold"] == [
            "Enter a whole number, 0 or more."]
        self.post_rule(self.director_a, self.school_a, "95", reason_template="%(pupil)s")
        assert "The reason text can use only" in (
            self.last_response.context["form"].errors["reason_template"][0])
        assert 'value="%(pupil)s"' in self.last_response.content.decode()
        self.post_rule(self.director_a, self.school_a, "12", indicator="grade_trend")
        assert self.last_response.context["form"].errors["threshold"] == [
            "Enter points a week between -10 and 10, with at most 2 decimals."]

    def test_a_decimal_comma_is_understood(self) -> None:
        client = self.client_for(self.director_a)
        client.cookies["django_language"] = "lv"
        client.post(self.add_url(self.school_a), {
            "indicator": ATTENDANCE, "level": TARGETED, "comparison": "<",
            "threshold": "92,5", "source": ""})
        assert self.in_force(self.school_a).threshold == Decimal("0.925")

    def test_a_second_rule_for_the_same_indicator_and_level_is_refused(self) -> None:
        self.own_rule(self.school_a, "0.95")
        self.post_rule(self.director_a, self.school_a, "96")
        assert self.last_response.status_code == 200
        assert "Change that rule instead" in self.last_response.context["form"].errors["level"][0]

    def test_a_school_rule_the_municipality_overtook_is_listed_as_not_in_force(self) -> None:
        school_rule = self.own_rule(self.school_a, "0.93")
        self.own_rule(self.municipality, "0.95")
        response = self.client_for(self.director_a).get(self.rules_url(self.school_a))
        assert [row.rule.pk for row in response.context["not_in_force"]] == [school_rule.pk]
        coordinator = self.client_for(self.municipality_coordinator).get(
            self.rules_url(self.municipality))
        [listed] = coordinator.context["school_rules"]
        assert (listed.school, listed.own_rules, listed.readable) == (self.school_a, 1, True)
        # "Tighten" on the municipality's row opens the school's existing rule.
        response = self.client_for(self.director_a).get(
            self.add_url(self.school_a), {"indicator": ATTENDANCE, "level": TARGETED})
        assert response.status_code == 302
        assert response["Location"] == self.change_url(school_rule)

    # changing a rule, concurrently

    def test_changing_an_own_rule(self) -> None:
        rule = self.own_rule(self.school_a, "0.95", user=self.director_a)
        client = self.client_for(self.support_a)
        form = client.get(self.change_url(rule))
        assert form.status_code == 200
        assert form.context["form"]["threshold"].value() == Decimal("95")
        assert f'value="{version_of(rule)}"' in form.content.decode()
        response = client.post(self.change_url(rule), {
            "comparison": "<=", "threshold": "96", "source": "Changed",
            "version": version_of(rule)})
        assert response.status_code == 302
        rule.refresh_from_db()
        assert (rule.comparison, rule.threshold, rule.changed_by) == (
            "<=", Decimal("0.96"), self.support_a)

    def test_a_change_made_meanwhile_is_not_overwritten(self) -> None:
        rule = self.own_rule(self.municipality, "0.92", user=self.municipality_coordinator)
        client = self.client_for(self.municipality_coordinator)
        opened = client.get(self.change_url(rule)).context["form"]["version"].value()
        rule.threshold = Decimal("0.93")
        save_support_rule(rule=rule, user=self.admin)  # someone else, meanwhile
        typed = {"comparison": "<", "threshold": "91,5", "source": "My reasons",
                 "version": opened}
        response = client.post(self.change_url(rule), typed)
        assert response.status_code == 409
        html = response.content.decode()
        assert f"{self.admin} changed this rule on" in html
        assert "The rule now reads: Attendance rate, last 30 school days below 93%" in html
        assert 'value="91,5"' in html and "My reasons" in html
        rule.refresh_from_db()
        assert rule.threshold == Decimal("0.93")
        # Saving again, now knowing the current rule, applies the input.
        again = response.context["form"]["version"].value()
        assert again == version_of(rule) != opened
        client.cookies["django_language"] = "lv"
        response = client.post(self.change_url(rule), {**typed, "version": again})
        assert response.status_code == 302
        rule.refresh_from_db()
        assert rule.threshold == Decimal("0.915")

    def test_a_rule_deactivated_meanwhile_keeps_the_input_for_a_new_rule(self) -> None:
        rule = self.own_rule(self.municipality, "0.92", user=self.municipality_coordinator)
        opened = version_of(rule)
        rule.is_active = False
        save_support_rule(rule=rule, user=self.admin)
        response = self.client_for(self.municipality_coordinator).post(
            self.change_url(rule), {"comparison": "<", "threshold": "94", "source": "Mine",
                                    "version": opened})
        assert response.status_code == 409
        html = response.content.decode()
        assert "deactivated this rule" in html
        assert f'action="{self.add_url(self.municipality)}"' in html
        assert 'value="94"' in html
        assert response.context["form"]["indicator"].value() == ATTENDANCE

    def test_saving_without_changes_writes_nothing(self) -> None:
        rule = self.own_rule(self.school_a, "0.95")
        before = LogEntry.objects.count()
        response = self.client_for(self.director_a).post(self.change_url(rule), {
            "comparison": "<", "threshold": "95", "source": "Test",
            "version": version_of(rule)}, follow=True)
        assert "Nothing was changed." in response.content.decode()
        assert LogEntry.objects.count() == before

    # the history

    def test_the_history_shows_who_changed_what(self) -> None:
        client = self.post_rule(self.municipality_coordinator, self.municipality, "92")
        rule = SupportRule.objects.get(organisation=self.municipality, is_active=True)
        client.post(self.change_url(rule), {
            "comparison": "<", "threshold": "93", "source": "Council decision 8",
            "version": version_of(rule)})
        rule.refresh_from_db()
        client.post(f"/support/rules/{self.municipality.pk}/{rule.pk}/deactivate/",
                    {"version": version_of(rule)})
        response = self.client_for(self.national_analyst).get(self.rules_url(self.municipality))
        history = response.context["history"]
        assert [h.action for h in history] == ["Deactivated", "Changed", "Added"]
        assert {h.who for h in history} == {str(self.municipality_coordinator)}
        assert self.municipality_coordinator.full_name
        deactivated, changed, added = history
        assert ("Threshold", "92%", "93%") in changed.changes
        assert ("Source", "Council decision 7", "Council decision 8") in changed.changes
        assert ("Active", "active", "not active") in deactivated.changes
        assert ("Threshold", None, "92%") in added.changes
        assert [label for label, _before, _after in added.changes] == [
            "Comparison", "Threshold", "Source"]
        assert added.rule == "Attendance rate, last 30 school days · Targeted support"
        html = response.content.decode()
        assert self.municipality_coordinator.full_name in html
        assert "Threshold: 92% → 93%" in html
        # The school's page lists only the school's own rules' history.
        school = self.client_for(self.director_a).get(self.rules_url(self.school_a))
        assert school.context["history"] == []
