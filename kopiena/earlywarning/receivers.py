"""Indicators follow the data: every applied import recomputes the pupils it touched."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kopiena.earlywarning.recompute import recompute
from kopiena.pupils.models import Pupil
from kopiena.schooldata.models import ImportRun

logger = logging.getLogger(__name__)


def on_school_data_changed(sender: Any, *, pupil_ids: Iterable[int],
                           run: ImportRun | None = None, **kwargs: Any) -> None:
    """Recompute, as of today, the pupils whose data an import changed (sent on commit).

    When the import touched most pupils of its schools (a daily export), the schools are
    recomputed whole: one pass per school is much faster than long lists of pupil ids.
    The import has committed by now, so a failure here must not undo or fail it: it is
    logged, and the nightly ``recompute_indicators`` brings the levels up to date.
    """
    ids = list(pupil_ids)
    if not ids:
        return
    today = timezone.localdate()
    try:
        schools = list(run.schools.all()) if run is not None else []
        enrolled = Pupil.objects.filter(school__in=schools).count() if schools else 0
        if schools and len(ids) * 2 >= enrolled:
            for school in schools:
                recompute(school=school, as_of=today)
        else:
            recompute(pupils=ids, as_of=today)
    except Exception:
        logger.exception("Recomputing the indicators of %d pupils after an import failed",
                         len(ids))
