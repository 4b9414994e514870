"""What the case page shows of the support-team meetings: where the case was discussed, with
the discussion note, and the decisions about it. Only for readers who see the whole case
(``CaseAccess.shared_parts is None``); a meeting links to its page only for the support team
of its school (everyone else reads its title)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kopiena.accounts.models import User
from kopiena.cases.models import SupportCase
from kopiena.conferences.access import conference_school_ids
from kopiena.conferences.actions import conference_url
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase


@dataclass(frozen=True)
class CaseDiscussion:
    conference: CaseConference
    discussion: str
    url: str  # empty: the reader may not open the conference


@dataclass(frozen=True)
class CaseDecision:
    item: ActionItem
    conference_url: str  # empty: the reader may not open the conference
    overdue: bool


@dataclass(frozen=True)
class CaseMeetings:
    discussions: list[CaseDiscussion]
    decisions: list[CaseDecision]  # open ones first (soonest due first), then done ones

    def __bool__(self) -> bool:
        return bool(self.discussions or self.decisions)


def case_meetings(user: User, case: SupportCase, today: dt.date | None = None) -> CaseMeetings:
    today = today or timezone.localdate()
    schools = conference_school_ids(user)

    def url(conference: CaseConference) -> str:
        return conference_url(conference) if conference.school_id in schools else ""

    discussed = (DiscussedCase.objects.filter(case=case).select_related("conference")
                 .order_by("-conference__held_on", "-conference__pk"))
    items = list(ActionItem.objects.filter(case=case).select_related(
        "conference", "owner", "done_by"))
    open_items = sorted((i for i in items if i.done_on is None), key=lambda i: (i.due_on, i.pk))
    done_items = sorted((i for i in items if i.done_on is not None),
                        key=lambda i: (i.done_on or dt.date.min, i.pk), reverse=True)
    return CaseMeetings(
        discussions=[CaseDiscussion(conference=d.conference, discussion=d.discussion,
                                    url=url(d.conference)) for d in discussed],
        decisions=[CaseDecision(item=i, overdue=i.done_on is None and i.due_on < today,
                                conference_url=(f"{url(i.conference)}#item-{i.pk}"
                                                if url(i.conference) else ""))
                   for i in (*open_items, *done_items)],
    )
