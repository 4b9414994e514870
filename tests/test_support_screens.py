"""What the support screens show: levels with reasons, sorting, <5 suppression, trend."""

from __future__ import annotations

from kopiena.earlywarning.models import PupilSupportStatus, SupportLevelEvent
from kopiena.earlywarning.screens import LevelFigures
from kopiena.pupils.models import ClassStaff
from tests.base import BaseTestCase


class SupportScreenTests(BaseTestCase):
    def test_demo_has_statuses_and_a_level_history(self) -> None:
        statuses = PupilSupportStatus.objects.filter(school=self.school_a)
        assert statuses.exists()
        assert statuses.exclude(level="universal").exists()
        # The seed rebuilds the last weeks, so there are events before today's.
        dates = set(SupportLevelEvent.objects.filter(school=self.school_a)
                    .values_list("date", flat=True))
        assert len(dates) > 2

    def test_school_overview_lists_pupils_needing_support_with_reasons(self) -> None:
        response = self.client_for(self.support_a).get(f"/support/schools/{self.school_a.pk}/")
        assert response.status_code == 200
        needing = response.context["needing"]
        assert needing
        assert all(row.status.level != "universal" for row in needing)
        assert all(row.reasons for row in needing)
        levels = [row.sort_values["level"] for row in needing]
        assert levels == sorted(levels, reverse=True)
        trend = response.context["trend"]
        assert len(trend.rows) == 8
        assert "<svg" in trend.svg

    def test_class_view_sorts_by_a_column_and_keeps_empty_values_last(self) -> None:
        own = ClassStaff.objects.get(user=self.teacher_a, kind="class_teacher").school_class
        client = self.client_for(self.teacher_a)
        response = client.get(f"/support/classes/{own.pk}/",
                              {"sort": "unexcused_lessons_semester", "dir": "desc"})
        rows = response.context["rows"]
        assert len(rows) == PupilSupportStatus.objects.filter(pupil__school_class=own).count()
        values = [r.sort_values["unexcused_lessons_semester"] for r in rows]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=True)
        assert values[: len(present)] == present
        by_name = client.get(f"/support/classes/{own.pk}/", {"sort": "name"}).context["rows"]
        names = [r.sort_values["name"] for r in by_name]
        assert names == sorted(names)

    def test_municipality_overview_hides_small_figures(self) -> None:
        municipality = self.school_a.parent
        assert municipality is not None
        response = self.client_for(self.municipality_coordinator).get(
            f"/support/municipalities/{municipality.pk}/")
        assert response.status_code == 200
        for _school, figures in response.context["rows"]:
            for cell in figures.cells:
                assert cell == "<5" or cell == "0" or int(cell) >= 5

    def test_level_figures_suppress_only_small_nonzero_groups(self) -> None:
        figures = LevelFigures({"universal": 12, "targeted": 3}, suppress_small=True)
        assert figures.cells == ["12", "<5", "0"]
        assert LevelFigures({"targeted": 3}, suppress_small=False).cells == ["0", "3", "0"]
        assert LevelFigures({"targeted": 3}, suppress_small=True).total == "<5"

    def test_pupil_page_shows_level_and_history(self) -> None:
        status = PupilSupportStatus.objects.filter(
            school=self.school_a).exclude(level="universal").first()
        assert status is not None
        response = self.client_for(self.director_a).get(f"/pupils/{status.pupil_id}/")
        support = response.context["support"]
        assert support.level == status.level
        assert support.reasons
        assert support.history
