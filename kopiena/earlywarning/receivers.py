"""Indicators follow the data: every applied import recomputes the pupils it touched."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kopiena.earlywarning.recompute import recompute

logger = logging.getLogger(__name__)


def on_school_data_changed(sender: Any, *, pupil_ids: Iterable[int], **kwargs: Any) -> None:
    """Recompute, as of today, the pupils whose data an import changed (sent on commit).

    The import has committed by now, so a failure here must not undo or fail it: it is
    logged, and the nightly ``recompute_indicators`` brings the levels up to date.
    """
    ids = list(pupil_ids)
    if not ids:
        return
    try:
        recompute(pupils=ids, as_of=timezone.localdate())
    except Exception:
        logger.exception("Recomputing the indicators of %d pupils after an import failed",
                         len(ids))
