"""Who may import school data for which school, and whose import records they may see.

A user may import for, and see the import history of, exactly the schools where one of their
active memberships grants ``Capability.IMPORT_SCHOOL_DATA``. An import run is visible when it
touches one of those schools, or when the user uploaded it themselves. Anything else is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kopiena.accounts.models import User
from kopiena.accounts.permissions import organisations_with
from kopiena.accounts.roles import Capability
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation
from kopiena.schooldata.models import ImportRun


def import_school_ids(user: User) -> set[int]:
    """Ids of the organisations where ``user`` may import school data."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return organisations_with(user, Capability.IMPORT_SCHOOL_DATA)


def can_import(user: User) -> bool:
    return bool(import_school_ids(user))


def import_schools(user: User) -> QuerySet[Organisation]:
    """The schools ``user`` may import data for (and see the import history and data quality
    warnings of), by name."""
    return Organisation.objects.filter(
        pk__in=import_school_ids(user), kind__in=EDUCATION_INSTITUTION_KINDS, is_active=True
    ).order_by("name")


def visible_runs(user: User) -> QuerySet[ImportRun]:
    """Import runs ``user`` may see: those of their import schools, and their own uploads."""
    school_ids = import_school_ids(user)
    if not school_ids:
        return ImportRun.objects.none()
    matching = ImportRun.objects.filter(Q(schools__in=school_ids) | Q(user_id=user.pk))
    return ImportRun.objects.filter(pk__in=matching.values("pk"))


def get_run_for(user: User, run_id: int) -> ImportRun:
    """The run if ``user`` may see it, else Http404 (never 403: nothing leaks)."""
    try:
        return visible_runs(user).select_related("user").get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404 from None
