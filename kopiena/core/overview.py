"""The overview page: what each user is responsible for, in figures they may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from kopiena.access.scoping import aggregate_municipality_ids, visible_pupils
from kopiena.accounts.models import Membership, User
from kopiena.accounts.permissions import organisations_with
from kopiena.accounts.roles import Capability
from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import current_school_year
from kopiena.core.aggregates import is_small_group
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation
from kopiena.pupils.models import Pupil


@dataclass
class SchoolFigures:
    school: Organisation
    pupils: int | None  # None when suppressed
    classes: int


@dataclass
class Overview:
    memberships: list[Membership]
    school_year: SchoolYear | None
    visible_pupils: int
    my_classes: list[tuple[str, int]] = field(default_factory=list)
    schools: list[SchoolFigures] = field(default_factory=list)


def _aggregate_schools(user: User) -> list[Organisation]:
    """Schools whose figures the user sees: those of the municipalities in
    ``aggregate_municipality_ids`` (all for a national analyst) and the schools where the
    user holds VIEW_AGGREGATES."""
    if not user.can(Capability.VIEW_AGGREGATES):
        return []
    schools = Organisation.objects.filter(kind__in=EDUCATION_INSTITUTION_KINDS)
    municipality_ids = aggregate_municipality_ids(user)
    if municipality_ids is not None:
        schools = schools.filter(
            Q(parent_id__in=municipality_ids)
            | Q(pk__in=organisations_with(user, Capability.VIEW_AGGREGATES))
        )
    return list(schools.order_by("name"))


def overview_for(user: User) -> Overview:
    year = current_school_year()
    overview = Overview(
        memberships=user.active_memberships(),
        school_year=year,
        visible_pupils=visible_pupils(user).count(),
    )
    own_classes = (
        visible_pupils(user)
        .filter(school_class__staff_assignments__user=user)
        .values("school_class__label")
        .annotate(n=Count("pk", distinct=True))
        .order_by("school_class__grade", "school_class__label")
    )
    overview.my_classes = [(row["school_class__label"], row["n"]) for row in own_classes]
    schools = _aggregate_schools(user)
    if schools:
        counts = dict(
            Pupil.objects.filter(school__in=schools).values_list("school_id")
            .annotate(n=Count("pk"))
        )
        class_counts: dict[int, int] = {}
        if year is not None:
            class_counts = dict(
                Organisation.objects.filter(pk__in=[s.pk for s in schools])
                .annotate(n=Count("classes", filter=Q(classes__school_year=year)))
                .values_list("pk", "n")
            )
        for school in schools:
            n = counts.get(school.pk, 0)
            overview.schools.append(
                SchoolFigures(
                    school=school,
                    pupils=None if is_small_group(n) else n,
                    classes=class_counts.get(school.pk, 0),
                )
            )
    return overview
