"""The support screens' caches never show a row or a figure older than the stored statuses."""

from __future__ import annotations

from django.utils import timezone

from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.pupils.models import ClassStaff, Pupil
from tests.base import BaseTestCase


class SupportScreenCacheTests(BaseTestCase):
    def test_class_view_rows_follow_a_recompute_and_a_renamed_pupil(self) -> None:
        own = ClassStaff.objects.get(user=self.teacher_a, kind="class_teacher").school_class
        client = self.client_for(self.teacher_a)
        url = f"/support/classes/{own.pk}/"
        first = [r.html for r in client.get(url).context["rows"]]  # fills the cache
        status = PupilSupportStatus.objects.filter(
            pupil__school_class=own, level="universal").select_related("pupil").first()
        assert status is not None
        assert [r.html for r in client.get(url).context["rows"]] == first  # from the cache
        flagged = PupilSupportStatus.objects.exclude(level="universal").first()
        assert flagged is not None
        PupilSupportStatus.objects.filter(pk=status.pk).update(
            level="intensive", reasons=flagged.reasons, computed_at=timezone.now())
        Pupil.objects.filter(pk=status.pupil_id).update(last_name="Pārdēvētā")
        rows = client.get(url).context["rows"]
        row = next(r for r in rows if r.status.pupil_id == status.pupil_id)
        assert "Pārdēvētā" in row.html
        assert "level--intensive" in row.html
        assert row.sort_values["level"] == 2
        assert row.sort_values["name"][0] == "Pārdēvētā"
        unchanged = [r for r in rows if r.status.pupil_id != status.pupil_id]
        assert all("Pārdēvētā" not in r.html for r in unchanged)

    def test_school_overview_figures_follow_a_recompute(self) -> None:
        client = self.client_for(self.support_a)
        url = f"/support/schools/{self.school_a.pk}/"
        before = client.get(url).context["totals"].counts
        flagged = client.get(url).context["needing"]
        universal = PupilSupportStatus.objects.filter(
            school=self.school_a, level="universal").first()
        assert universal is not None
        PupilSupportStatus.objects.filter(pk=universal.pk).update(
            level="intensive", computed_at=timezone.now())
        response = client.get(url)
        after = response.context["totals"].counts
        assert after["intensive"] == before.get("intensive", 0) + 1
        assert after["universal"] == before["universal"] - 1
        shown = [r.status.pupil_id for r in response.context["needing"]]
        assert len(shown) == min(len(flagged) + 1, 30)
