"""A municipality's measure catalogue and approval chain: the coordinator's changes, what
the schools then plan, what the readers see, and the change history."""

from __future__ import annotations

from decimal import Decimal

from kopiena.accounts.roles import Role
from kopiena.plans.access import approval_chain, step_due
from kopiena.plans.catalogue import catalogue_for
from kopiena.plans.models import ApprovalStep, MeasureType, PlanStatus
from kopiena.plans.workflow import PlanAction
from tests import case_factories as F
from tests import plan_steps as S
from tests.base import BaseTestCase


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined, no-any-return]


class CatalogueTests(BaseTestCase):
    def setUp(self) -> None:
        self.municipality = self.school_a.parent
        assert self.municipality is not None
        self.base = f"/plans/catalogue/{self.municipality.pk}/"
        self.client = S.english(self.municipality_coordinator)

    def _change(self, code: str, **values: object) -> object:
        url = f"{self.base}measures/{code}/change/"
        form = self.client.get(url).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data.update(values)
        if data.get("unit_cost_eur") is None:
            data["unit_cost_eur"] = ""
        if not data.get("is_active"):
            data.pop("is_active", None)
        return self.client.post(url, data)

    def test_page_shows_defaults_and_own_values_side_by_side(self) -> None:
        response = self.client.get(self.base)
        assert response.status_code == 200
        codes = [row.code for row in response.context["rows"]]
        assert {"psychologist", "mentor", "transport"} <= set(codes)
        assert response.context["can_edit"] is True
        reader = S.english(self.support_a).get(self.base)
        assert reader.status_code == 200 and reader.context["can_edit"] is False
        assert "/change/" not in _text(reader)

    def test_changing_a_default_creates_the_municipality_row_and_schools_plan_with_it(
            self) -> None:
        default = MeasureType.objects.create(
            code="tests_tutoring", name_lv="Konsultācijas", name_en="Tutoring", kind="consultation",
            unit="hours", position=99)
        response = self._change("tests_tutoring", unit_cost_eur="25.00",
                                name_lv="Individuālās konsultācijas")
        assert response.status_code == 302  # type: ignore[attr-defined]
        own = MeasureType.objects.get(municipality=self.municipality, code="tests_tutoring")
        default.refresh_from_db()
        assert own.unit_cost_eur == Decimal("25.00") and default.unit_cost_eur is None
        assert (own.kind, own.unit, own.name_lv, own.changed_by) == (
            default.kind, default.unit, "Individuālās konsultācijas",
            self.municipality_coordinator)
        assert {m.code: m for m in catalogue_for(self.municipality)}["tests_tutoring"] == own
        other = self.other_municipality_school.municipality_id
        assert {m.code: m for m in catalogue_for(other)}["tests_tutoring"] == default
        # A plan of the municipality's school is written with the municipality's row.
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        plan = F.draft_plan(case, self.support_a)
        offered = S.english(self.support_a).get(f"/plans/{plan.pk}/measures/add/").context[
            "form"].catalogue
        assert own.pk in offered and default.pk not in offered
        history = self.client.get(self.base).context["history"]
        assert history[0].who == str(self.municipality_coordinator)
        assert any(change[2] == "25.00" for change in history[0].changes)

    def test_taking_a_measure_out_of_use_removes_it_from_new_plans(self) -> None:
        self._change("dormitory", is_active=False)
        assert "dormitory" not in {m.code for m in catalogue_for(self.municipality)}
        page = _text(self.client.get(self.base))
        assert "Not in use" in page

    def test_refusals_keep_the_input(self) -> None:
        own = MeasureType.objects.filter(municipality=self.municipality)
        before = sorted(own.values_list("code", "name_lv", "unit_cost_eur"))
        response = self._change("transport", unit_cost_eur="3", name_lv="Transports")
        assert response.status_code == 200  # type: ignore[attr-defined]
        assert "unit_cost_eur" in response.context["form"].errors  # type: ignore[attr-defined]
        assert "Transports" in _text(response)
        assert sorted(own.values_list("code", "name_lv", "unit_cost_eur")) == before

    def test_a_concurrent_change_is_not_overwritten(self) -> None:
        url = f"{self.base}measures/psychologist/change/"
        opened = self.client.get(url).context["form"]["version"].value()
        assert self._change("psychologist", unit_cost_eur="20").status_code == 302  # type: ignore[attr-defined]
        response = self.client.post(url, {"name_lv": "Psihologs", "name_en": "Psychologist",
                                          "unit_cost_eur": "30", "is_active": "on",
                                          "version": opened})
        assert response.status_code == 409
        assert "Psihologs" in _text(response)
        own = MeasureType.objects.get(municipality=self.municipality, code="psychologist")
        assert own.unit_cost_eur == Decimal("20")

    def test_add_a_measure_of_the_municipality(self) -> None:
        url = f"{self.base}measures/add/"
        response = self.client.post(url, {
            "code": "summer_camp", "name_lv": "Vasaras nometne", "name_en": "Summer camp",
            "kind": "compensation", "unit": "eur", "unit_cost_eur": "", "min_pupil_age": ""})
        assert response.status_code == 302
        camp = MeasureType.objects.get(code="summer_camp")
        assert camp.municipality == self.municipality
        assert "summer_camp" in {m.code for m in catalogue_for(self.municipality)}
        again = self.client.post(url, {"code": "psychologist", "name_lv": "x", "name_en": "x",
                                       "kind": "consultation", "unit": "hours"})
        assert again.status_code == 200 and "code" in again.context["form"].errors
        wrong = self.client.post(url, {"code": "tutoring", "name_lv": "x", "name_en": "x",
                                       "kind": "consultation", "unit": "eur"})
        assert "unit" in wrong.context["form"].errors

    def test_approval_chain_is_configured_and_used(self) -> None:
        assert approval_chain(self.school_a) == [Role.SCHOOL_DIRECTOR,
                                                  Role.MUNICIPALITY_COORDINATOR]
        url = f"{self.base}approval-chain/"
        response = self.client.post(url, {"step_1": "support_coordinator",
                                          "step_2": "school_director", "step_3": ""})
        assert response.status_code == 302
        assert approval_chain(self.school_a) == [Role.SUPPORT_COORDINATOR, Role.SCHOOL_DIRECTOR]
        case = F.open_case(F.pupil_without_case(self.school_a), self.support_a)
        plan = S.step(F.draft_plan(case, self.psychologist_a), PlanAction.SUBMIT,
                      self.psychologist_a)
        assert step_due(plan) is Role.SUPPORT_COORDINATOR
        plan = S.step(plan, PlanAction.APPROVE, self.support_a)
        plan = S.step(plan, PlanAction.APPROVE, self.director_a)
        assert plan.status == PlanStatus.APPROVED  # the municipality is no longer a step
        history = self.client.get(self.base).context["history"]
        assert any("Approval step" in row.what for row in history)

    def test_approval_chain_refusals(self) -> None:
        url = f"{self.base}approval-chain/"
        twice = self.client.post(url, {"step_1": "school_director", "step_2": "school_director"})
        assert twice.status_code == 200 and twice.context["form"].non_field_errors()
        gap = self.client.post(url, {"step_1": "school_director", "step_2": "",
                                     "step_3": "municipality_coordinator"})
        assert gap.status_code == 200 and gap.context["form"].non_field_errors()
        empty = self.client.post(url, {"step_1": ""})
        assert empty.status_code == 200
        assert not ApprovalStep.objects.filter(municipality=self.municipality).exists()
