"""After an import: a whole school is recomputed when most of its pupils changed."""

from __future__ import annotations

from typing import Any

import pytest

from kopiena.earlywarning import receivers
from kopiena.pupils.models import Pupil
from kopiena.schooldata.models import ImportRun
from tests import people as P

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(receivers, "recompute", lambda **kw: seen.append(kw))
    return seen


def _run() -> ImportRun:
    run = ImportRun.objects.create(kind="attendance-days", file_name="x.csv", checksum="0")
    run.schools.set([P.org(P.SCHOOL_A)])
    return run


def test_most_pupils_changed_recomputes_the_school(calls: list[dict[str, Any]]) -> None:
    ids = list(Pupil.objects.filter(school=P.org(P.SCHOOL_A)).values_list("pk", flat=True))
    receivers.on_school_data_changed(None, pupil_ids=ids, run=_run())
    assert [c.get("school") for c in calls] == [P.org(P.SCHOOL_A)]


def test_a_few_pupils_changed_recomputes_only_them(calls: list[dict[str, Any]]) -> None:
    ids = list(Pupil.objects.filter(school=P.org(P.SCHOOL_A)).values_list("pk", flat=True)[:3])
    receivers.on_school_data_changed(None, pupil_ids=ids, run=_run())
    assert [c.get("pupils") for c in calls] == [ids]
