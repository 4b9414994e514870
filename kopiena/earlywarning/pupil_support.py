"""The support part of the pupil page: current level with its reasons, and the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kopiena.accounts.models import User
from kopiena.earlywarning.models import PupilSupportStatus
from kopiena.earlywarning.reasons import level_label, render_reasons
from kopiena.earlywarning.selectors import level_history
from kopiena.pupils.models import Pupil

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class LevelStep:
    date: dt.date
    level: str
    label: str
    change: str
    reasons: list[str]


@dataclass
class PupilSupport:
    level: str | None = None
    label: str = ""
    as_of: dt.date | None = None
    reasons: list[str] = field(default_factory=list)
    history: list[LevelStep] = field(default_factory=list)


def pupil_support(user: User, pupil: Pupil) -> PupilSupport:
    """For a pupil the caller has already authorised."""
    support = PupilSupport()
    status = PupilSupportStatus.objects.filter(pupil=pupil).first()
    if status is not None:
        support.level, support.label = status.level, level_label(status.level)
        support.as_of, support.reasons = status.as_of, render_reasons(status.reasons)
    support.history = [
        LevelStep(e.date, e.level, level_label(e.level), e.get_change_display(),
                  render_reasons(e.reasons))
        for e in level_history(user, pupil.pk)[:HISTORY_LENGTH]
    ]
    return support
