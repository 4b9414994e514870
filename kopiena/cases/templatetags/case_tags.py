"""Entry points to support cases on other screens: the pupil page's "Support case" panel and
the "Refer to the support team" / "Open a support case" links next to flagged pupils."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.translation import gettext as _

from kopiena.accounts.models import User
from kopiena.cases.access import OpeningRight, opening_right, opening_right_in, visible_cases
from kopiena.cases.models import CaseStatus, SupportCase
from kopiena.pupils.models import Pupil

register = template.Library()


def _user(context: template.Context) -> User | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


@register.inclusion_tag("cases/_pupil_panel.html", takes_context=True)
def support_case_panel(context: template.Context, pupil: Pupil) -> dict[str, Any]:
    """The pupil's open case (with a link), earlier cases, or the way to start one."""
    user = _user(context)
    if user is None:
        return {"show": False}
    cases = visible_cases(user).filter(pupil=pupil).select_related("case_manager")
    open_case = cases.filter(status=CaseStatus.OPEN).first()
    right = opening_right(user, pupil) if open_case is None else None
    closed = list(cases.filter(status=CaseStatus.CLOSED).order_by("-opened_on", "-pk"))
    return {
        "show": open_case is not None or right is not None or bool(closed),
        "pupil": pupil, "open_case": open_case, "closed_cases": closed,
        "refer": right is OpeningRight.REFER, "may_open": right is OpeningRight.OPEN,
    }


@register.simple_tag(takes_context=True)
def case_opening_label(context: template.Context, school_id: int,
                       school_class_id: int | None = None) -> str:
    """The link text for starting a case for flagged pupils of this school (or class), or ""
    when the user may not start one."""
    user = _user(context)
    if user is None:
        return ""
    right = opening_right_in(user, school_id, school_class_id)
    if right is OpeningRight.OPEN:
        return _("Open a support case")
    if right is OpeningRight.REFER:
        return _("Refer to the support team")
    return ""


@register.simple_tag
def pupils_with_open_case(rows: Iterable[Any]) -> set[int]:
    """Of the rows (each with ``status.pupil_id``), the pupils who have an open case."""
    ids = [row.status.pupil_id for row in rows]
    return set(SupportCase.objects.filter(pupil_id__in=ids, status=CaseStatus.OPEN)
               .values_list("pupil_id", flat=True))
