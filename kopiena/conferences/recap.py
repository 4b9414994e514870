"""The printable recap of a case conference (Latvian, 1–2 pages): date, participants, each
pupil discussed with the discussion and the decisions (owner, due), then the general
decisions and the minutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kopiena.conferences.access import staff_roles
from kopiena.conferences.models import ActionItem, CaseConference, DiscussedCase
from kopiena.core.pdf import render_pdf


@dataclass(frozen=True)
class RecapPupil:
    discussed: DiscussedCase
    items: list[ActionItem]


def recap_context(conference: CaseConference) -> dict[str, Any]:
    discussed = list(DiscussedCase.objects.filter(conference=conference).select_related(
        "case__pupil__school_class", "case__case_manager"))
    items = list(ActionItem.objects.filter(conference=conference).select_related("owner"))
    per_case: dict[int, list[ActionItem]] = {}
    for item in items:
        if item.case_id is not None:
            per_case.setdefault(item.case_id, []).append(item)
    roles = staff_roles(conference.school_id)
    return {
        "conference": conference, "school": conference.school,
        "participants": [(u, roles.get(u.pk, "")) for u in conference.participants.order_by(
            "last_name", "first_name")],
        "pupils": [RecapPupil(d, per_case.get(d.case_id, [])) for d in discussed],
        "general_items": [i for i in items if i.case_id is None],
        "printed_on": timezone.localdate(),
    }


def recap_pdf(conference: CaseConference) -> tuple[bytes, list[int]]:
    """The PDF, and the pupils it names (for the access log)."""
    context = recap_context(conference)
    pupil_ids = [p.discussed.case.pupil_id for p in context["pupils"]]
    return render_pdf("conferences/recap.html", context), pupil_ids
