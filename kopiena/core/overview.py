"""The overview page: what each user is responsible for, in figures they may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership, User
from kopiena.accounts.roles import Capability
from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import current_school_year
from kopiena.organisations.models import EDUCATION_INSTITUTION_KINDS, Organisation
from kopiena.pupils.models import Pupil

# Aggregates for groups smaller than this are not shown to users without person-level access.
SMALL_GROUP = 5


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
    if not user.can(Capability.VIEW_AGGREGATES):
        return []
    memberships = user.active_memberships()
    if any(m.organisation.kind == "national_agency" for m in memberships):
        qs = Organisation.objects.filter(kind__in=EDUCATION_INSTITUTION_KINDS)
    else:
        municipality_ids = {
            m.organisation_id for m in memberships if m.organisation.is_municipality
        }
        school_ids = {m.organisation_id for m in memberships if m.organisation.is_school}
        qs = Organisation.objects.filter(
            Q(parent_id__in=municipality_ids, kind__in=EDUCATION_INSTITUTION_KINDS)
            | Q(pk__in=school_ids)
        )
    return list(qs.order_by("name"))


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
                    pupils=n if n == 0 or n >= SMALL_GROUP else None,
                    classes=class_counts.get(school.pk, 0),
                )
            )
    return overview
