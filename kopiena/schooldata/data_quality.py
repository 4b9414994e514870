"""Data-quality warnings of a school's imported data: plain functions over the database.

Each function answers one question about one school. ``data_quality_warnings`` puts them
together for the school data page: a count for each problem found, and a few example pupils,
only from the pupils the viewer may see by name (the caller passes them in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import school_days, school_year_on
from kopiena.organisations.models import Organisation
from kopiena.pupils.models import ClassStaff, Enrolment, Pupil, SchoolClass
from kopiena.schooldata.models import AttendanceDay, BehaviourIncident, Grade

DEFAULT_DAYS_WITHOUT_ATTENDANCE = 5
EXAMPLES = 5

DatedRecord = type[AttendanceDay] | type[Grade] | type[BehaviourIncident]


def latest_attendance_day(school: Organisation) -> dt.date | None:
    """The latest date for which the school has imported any attendance."""
    latest: dt.date | None = AttendanceDay.objects.filter(school=school).aggregate(
        latest=Max("date")
    )["latest"]
    return latest


def last_school_days(up_to: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` school days of the school year of ``up_to``, up to that day."""
    year = school_year_on(up_to)
    if year is None:
        return []
    return list(school_days(year, end=up_to))[-count:] if count > 0 else []


def enrolled_throughout(school: Organisation, first: dt.date, last: dt.date) -> QuerySet[Pupil]:
    """Pupils enrolled at ``school`` on every day from ``first`` to ``last``."""
    enrolments = Enrolment.objects.filter(school=school, enrolled_from__lte=first).filter(
        Q(enrolled_to__isnull=True) | Q(enrolled_to__gte=last)
    )
    return Pupil.objects.filter(pk__in=enrolments.values("pupil_id"))


def pupils_without_recent_attendance(
    school: Organisation, *, days: int = DEFAULT_DAYS_WITHOUT_ATTENDANCE,
    up_to: dt.date | None = None,
) -> QuerySet[Pupil]:
    """Pupils enrolled at the school on each of its last ``days`` school days up to ``up_to``
    (default: the latest day with imported attendance) with no attendance recorded on any of
    them. Empty when the school has no attendance yet or the year has fewer school days."""
    up_to = up_to or latest_attendance_day(school)
    if up_to is None:
        return Pupil.objects.none()
    window = last_school_days(up_to, days)
    if len(window) < days or not window:
        return Pupil.objects.none()
    recorded = AttendanceDay.objects.filter(
        school=school, date__gte=window[0], date__lte=window[-1]
    )
    return enrolled_throughout(school, window[0], window[-1]).exclude(
        pk__in=recorded.values("pupil_id")
    )


def records_outside_enrolment(
    school: Organisation, model: DatedRecord, *, since: dt.date | None = None
) -> QuerySet[Model]:
    """Records of ``model`` (attendance days, grades, incidents) of the school, dated ``since``
    on or later, on a day when the pupil was not enrolled there."""
    enrolled_that_day = Enrolment.objects.filter(
        pupil_id=OuterRef("pupil_id"), school_id=OuterRef("school_id"),
        enrolled_from__lte=OuterRef("date"),
    ).filter(Q(enrolled_to__isnull=True) | Q(enrolled_to__gte=OuterRef("date")))
    records: QuerySet[Model] = model.objects.filter(school=school)
    if since is not None:
        records = records.filter(date__gte=since)
    return records.filter(~Exists(enrolled_that_day))


def pupils_without_class(school: Organisation) -> QuerySet[Pupil]:
    """Pupils placed at the school now who have no class."""
    return Pupil.objects.filter(school=school, school_class__isnull=True)


def classes_without_class_teacher(
    school: Organisation, year: SchoolYear | None
) -> QuerySet[SchoolClass]:
    """Classes of the school year that have pupils but no class teacher."""
    if year is None:
        return SchoolClass.objects.none()
    teacher = ClassStaff.objects.filter(
        school_class=OuterRef("pk"), kind=ClassStaff.Kind.CLASS_TEACHER
    )
    pupils = Pupil.objects.filter(school_class=OuterRef("pk"))
    return SchoolClass.objects.filter(school=school, school_year=year).filter(
        Exists(pupils), ~Exists(teacher)
    ).order_by("grade", "label")


def school_days_without_attendance(
    school: Organisation, *, up_to: dt.date | None = None
) -> list[dt.date]:
    """School days of the school year, from its first day up to ``up_to`` (default: the latest
    day with imported attendance), on which the school has no attendance at all: most often an
    export that was never uploaded."""
    up_to = up_to or latest_attendance_day(school)
    if up_to is None:
        return []
    year = school_year_on(up_to)
    if year is None:
        return []
    recorded = set(
        AttendanceDay.objects.filter(school=school, date__gte=year.starts_on, date__lte=up_to)
        .values_list("date", flat=True).distinct()
    )
    return [day for day in school_days(year, end=up_to) if day not in recorded]


@dataclass(frozen=True)
class DataQualityWarning:
    code: str
    count: int
    message: str  # what is wrong, with the count
    advice: str  # what to do about it
    pupils: list[Pupil] = field(default_factory=list)  # examples the viewer may see by name
    items: list[str] = field(default_factory=list)  # example classes or dates
    hidden_pupils: bool = False  # some pupils concerned are outside the viewer's scope


@dataclass(frozen=True)
class DataQualityReport:
    school: Organisation
    school_year: SchoolYear | None
    latest_attendance_day: dt.date | None
    warnings: list[DataQualityWarning]

    @property
    def pupil_ids(self) -> list[int]:
        """Every named pupil shown (for the access log)."""
        return sorted({p.pk for w in self.warnings for p in w.pupils})


def _examples(pupils: QuerySet[Pupil], visible: QuerySet[Pupil], limit: int) -> list[Pupil]:
    return list(
        pupils.filter(pk__in=visible.values("pk")).select_related("school_class")
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def _day(day: dt.date) -> str:
    return date_format(day, "d.m.Y")


def data_quality_warnings(
    school: Organisation, *, visible: QuerySet[Pupil],
    days: int = DEFAULT_DAYS_WITHOUT_ATTENDANCE, examples: int = EXAMPLES,
    today: dt.date | None = None,
) -> DataQualityReport:
    """The data-quality warnings of ``school``; example pupils only from ``visible``."""
    latest = latest_attendance_day(school)
    year = school_year_on(today or timezone.localdate())
    warnings: list[DataQualityWarning] = []

    def add(code: str, count: int, message: str, advice: str,
            pupils: QuerySet[Pupil] | None = None, items: list[str] | None = None) -> None:
        if count <= 0:
            return
        shown = _examples(pupils, visible, examples) if pupils is not None else []
        warnings.append(DataQualityWarning(
            code=code, count=count, message=message, advice=advice, pupils=shown,
            items=items or [],
            hidden_pupils=pupils is not None and not shown,
        ))

    if latest is not None:
        silent = pupils_without_recent_attendance(school, days=days, up_to=latest)
        n = silent.count()
        add("no_recent_attendance", n, ngettext(
            "%(count)s pupil enrolled now has no attendance recorded on the last %(days)s "
            "school days up to %(date)s.",
            "%(count)s pupils enrolled now have no attendance recorded on the last %(days)s "
            "school days up to %(date)s.", n,
        ) % {"count": n, "days": days, "date": _day(latest)},
            _("Check that these pupils are in the attendance export, or whether they have "
              "left the school (then upload the pupil list with the date they left)."),
            pupils=silent)

        missing = school_days_without_attendance(school, up_to=latest)
        n = len(missing)
        add("school_days_without_attendance", n, ngettext(
            "%(count)s school day up to %(date)s has no attendance at all for this school.",
            "%(count)s school days up to %(date)s have no attendance at all for this school.",
            n,
        ) % {"count": n, "date": _day(latest)},
            _("Most often the export of these days was not uploaded. Export them from the "
              "class register and upload the file; days already imported stay as they are."),
            items=[_day(d) for d in missing[:10]])

    def outside_message(model: DatedRecord, n: int) -> str:
        if model is AttendanceDay:
            text = ngettext(
                "This school year, %(count)s attendance record is dated on a day when the "
                "pupil was not enrolled here.",
                "This school year, %(count)s attendance records are dated on days when the "
                "pupils were not enrolled here.", n)
        elif model is Grade:
            text = ngettext(
                "This school year, %(count)s grade is dated on a day when the pupil was not "
                "enrolled here.",
                "This school year, %(count)s grades are dated on days when the pupils were not "
                "enrolled here.", n)
        else:
            text = ngettext(
                "This school year, %(count)s behaviour record is dated on a day when the pupil "
                "was not enrolled here.",
                "This school year, %(count)s behaviour records are dated on days when the "
                "pupils were not enrolled here.", n)
        return text % {"count": n}

    for code, model in (
        ("attendance_outside_enrolment", AttendanceDay),
        ("grades_outside_enrolment", Grade),
        ("behaviour_outside_enrolment", BehaviourIncident),
    ):
        outside = records_outside_enrolment(
            school, model, since=year.starts_on if year is not None else None)
        n = outside.count()
        add(code, n, outside_message(model, n),
            _("Check the enrolment dates in the pupil list (joined, left) and upload it "
              "again, or correct the dates in the class register."),
            pupils=Pupil.objects.filter(pk__in=outside.values("pupil_id")))

    no_class = pupils_without_class(school)
    n = no_class.count()
    add("pupils_without_class", n, ngettext(
        "%(count)s pupil has no class.", "%(count)s pupils have no class.", n,
    ) % {"count": n},
        _("Upload the pupil list with the class of each pupil."), pupils=no_class)

    no_teacher = classes_without_class_teacher(school, year)
    labels = list(no_teacher.values_list("label", flat=True))
    n = len(labels)
    add("classes_without_class_teacher", n, ngettext(
        "%(count)s class has no class teacher.", "%(count)s classes have no class teacher.", n,
    ) % {"count": n},
        _("Ask your administrator to assign a class teacher: the class teacher is told when "
          "a pupil needs support."), items=labels[:20])

    return DataQualityReport(
        school=school, school_year=year, latest_attendance_day=latest, warnings=warnings,
    )
