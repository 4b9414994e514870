"""One demo pupil's school data as a class register would export it: attendance per school
day, grades and behaviour incidents, drawn from the pupil's profile (``school_profiles``)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from kopiena.calendars.models import SchoolYear
from kopiena.calendars.schooldays import school_days
from kopiena.demo.school_profiles import (
    DemoPupil,
    EnrolmentFacts,
    Profile,
    ProfileKind,
    Timeline,
)
from kopiena.demo.structure import MUSIC_SCHOOL_CODE, SCHOOL_B_CODE

_LV, _MATH, _EN = "Latviešu valoda", "Matemātika", "Angļu valoda"
_SPORT, _IT, _LIT = "Sports un veselība", "Datorika", "Literatūra"
_PRIMARY = (_LV, _MATH, _EN, "Dabaszinības", "Sociālās zinības un vēsture", _SPORT)
_MIDDLE = (*_PRIMARY[:5], _IT, _SPORT)
_LOWER_SECONDARY = (_LV, _LIT, _MATH, _EN, "Vācu valoda", "Bioloģija", "Ķīmija", "Fizika",
                    "Ģeogrāfija", "Vēsture", _IT, _SPORT)
_UPPER_SECONDARY = (_LV, _LIT, _MATH, _EN, "Vēsture un sociālās zinātnes", "Fizika",
                    "Ķīmija", "Bioloģija", _IT, _SPORT)
_VET_PROFESSION = {"k": "Kokapstrādes tehnoloģijas", "m": "Mehatronisko sistēmu pamati",
                   "p": "Ēdienu gatavošanas tehnoloģija"}
_MUSIC = ("Specialitāte", "Solfedžo", "Kolektīvā muzicēšana")
_MAIN_SUBJECTS = frozenset({_LV, _MATH, _EN, "Specialitāte", *_VET_PROFESSION.values()})
_MUSIC_DAYS = 3  # an afternoon music school: lessons on three weekdays

LEVELS = ("S", "T", "A", "P")  # started, continuing, achieved, achieved in depth

_SPELL_LENGTHS = (1, 1, 2, 2, 3, 3, 4, 5)  # school days of an illness
_INCIDENT_CATEGORIES: dict[str, tuple[float, tuple[int, ...], tuple[str, ...]]] = {
    # category: weight, severities to draw from, notes
    "disruption": (0.55, (1, 1, 1, 1, 2), (
        "Traucēja stundu, nereaģēja uz aizrādījumiem.",
        "Stundas laikā lietoja telefonu arī pēc aizrādījuma.",
        "Atteicās izpildīt skolotājas norādījumus.",
        "Skaļi runāja un traucēja klasesbiedriem strādāt.")),
    "bullying": (0.12, (1, 2, 2, 2, 3), (
        "Izsmēja klasesbiedru starpbrīdī.",
        "Aizskaroši komentāri par klasesbiedru sociālajos tīklos.",
        "Ar citiem izslēdza klasesbiedru no grupas darba.")),
    "violence": (0.08, (2, 2, 3), (
        "Grūstīšanās gaitenī, klasesbiedrs guva zilumu.",
        "Kautiņš pie skolas; iesaistīts sociālais pedagogs.",
        "Iesita klasesbiedram starpbrīdī.")),
    "other": (0.25, (1, 1, 2), (
        "Bojāja skolas inventāru.",
        "Neieradās uz norunāto sarunu ar klases audzinātāju.",
        "Smēķēja skolas teritorijā.")),
}
_BEHAVIOUR_WEIGHTS = {"disruption": 0.45, "bullying": 0.2, "violence": 0.15, "other": 0.2}
_TRUANCY_NOTES = ("Neieradās skolā, vecāki nebija informēti.",
                  "Aizgāja no skolas pēc 3. stundas bez atļaujas.",
                  "Nebija stundās; klases audzinātāja sazinājās ar ģimeni.")


def subjects_for(school_code: str, grade: int, letter: str) -> tuple[str, ...]:
    """The graded subjects of a class (Latvian names, as the registers export them)."""
    if school_code == MUSIC_SCHOOL_CODE:
        return _MUSIC if grade < 4 else (*_MUSIC, "Mūzikas literatūra")
    if school_code == SCHOOL_B_CODE:
        science = ("Fizika",) if grade <= 2 else ()
        return (_LV, _MATH, _EN, *science, _SPORT,
                _VET_PROFESSION.get(letter, "Profesionālie mācību priekšmeti"))
    if grade <= 3:
        return _PRIMARY
    if grade <= 6:
        return _MIDDLE
    return _LOWER_SECONDARY if grade <= 9 else _UPPER_SECONDARY


def lessons_per_day(school_code: str, grade: int) -> tuple[int, int]:
    if school_code == MUSIC_SCHOOL_CODE:
        return 2, 3
    if school_code == SCHOOL_B_CODE:
        return 6, 8
    if grade == 1:
        return 4, 5
    if grade <= 4:
        return 5, 6
    return (6, 7) if grade <= 9 else (7, 8)


class YearPlan:
    """One school year as far as the demo writes it: school days per grade up to the last day."""

    def __init__(self, year: SchoolYear, offset: int, last_day: dt.date) -> None:
        self.year = year
        self.offset = offset  # 0 the current year, -1 the previous one
        self.last_day = last_day
        self.semesters = [(s.number, s.starts_on, s.ends_on)
                          for s in year.semesters.order_by("number")]
        self._days: dict[int | None, list[dt.date]] = {}

    @property
    def name(self) -> str:
        return self.year.name

    def days(self, grade: int | None) -> list[dt.date]:
        if grade not in self._days:
            self._days[grade] = list(school_days(self.year, end=self.last_day, grade=grade))
        return self._days[grade]

    def semester_of(self, day: dt.date) -> int | None:
        for number, starts, ends in self.semesters:
            if starts <= day <= ends:
                return number
        return None

    def term_day(self) -> dt.date | None:
        """The day of semester-1 results, once it has passed."""
        ends = next((e for n, _s, e in self.semesters if n == 1), None)
        return ends if ends is not None and ends <= self.last_day else None

    def annual_day(self, grade: int | None) -> dt.date | None:
        day = self.year.last_day_for_grade(grade or 0)
        return day if day <= self.last_day else None


@dataclass
class DayRecord:
    day: dt.date
    lessons: int
    excused: int = 0
    unexcused: int = 0
    late: int = 0

    @property
    def absent_all_day(self) -> bool:
        return self.excused + self.unexcused >= self.lessons


@dataclass(frozen=True)
class Stint:
    """One enrolment within one school year."""

    enrolment: EnrolmentFacts
    year: YearPlan
    grade: int
    calendar_grade: int | None
    subjects: tuple[str, ...]

    @property
    def levels(self) -> bool:
        """Grades 1-3 of general education are assessed in achievement levels."""
        return self.grade <= 3 and self.enrolment.school_code not in (
            MUSIC_SCHOOL_CODE, SCHOOL_B_CODE)


@dataclass
class PupilRows:
    days: list[tuple[Stint, DayRecord]] = field(default_factory=list)
    grades: list[tuple[Stint, dt.date, str, str, str]] = field(default_factory=list)
    incidents: list[tuple[Stint, dt.date, str, int, str]] = field(default_factory=list)


class RowMaker:
    """Draws each pupil's rows; shared timetables per class, one ``Random`` per pupil."""

    def __init__(self, seed: int, timeline: Timeline, years: list[YearPlan]) -> None:
        self.seed = seed
        self.timeline = timeline
        self.years = years
        self._timetables: dict[tuple[str, str, int, str], tuple[int, ...]] = {}

    def timetable(self, stint: Stint) -> tuple[int, ...]:
        """Lessons on Monday..Friday for the class of this stint (0: no lessons)."""
        code = stint.enrolment.school_code
        key = (code, stint.year.name, stint.grade, stint.enrolment.letter)
        if key not in self._timetables:
            rng = random.Random(f"kopiena-demo-timetable:{self.seed}:{key}")
            low, high = lessons_per_day(code, stint.grade)
            lessons = [rng.randint(low, high) for _weekday in range(5)]
            if code == MUSIC_SCHOOL_CODE:
                free = rng.sample(range(5), 5 - _MUSIC_DAYS)
                lessons = [0 if i in free else n for i, n in enumerate(lessons)]
            self._timetables[key] = tuple(lessons)
        return self._timetables[key]

    def stints(self, pupil: DemoPupil) -> list[Stint]:
        found = []
        for year in self.years:
            for enrolment in pupil.enrolments:
                grade = pupil.grade_in(enrolment, year.offset)
                if grade is None:
                    continue
                vet = enrolment.school_code == SCHOOL_B_CODE
                found.append(Stint(enrolment, year, grade, None if vet else grade,
                                   subjects_for(enrolment.school_code, grade, enrolment.letter)))
        return found

    def rows(self, pupil: DemoPupil, profile: Profile) -> PupilRows:
        rng = random.Random(f"kopiena-demo-rows:{self.seed}:{pupil.key}")
        out = PupilRows()
        unexcused: dict[int, int] = defaultdict(int)  # current-year semester -> lessons
        stints = self.stints(pupil)
        for stint in stints:
            for record in self._attendance(stint, profile, rng):
                semester = stint.year.semester_of(record.day) if stint.year.offset == 0 else None
                if semester is not None and profile.kind != ProfileKind.THRESHOLD:
                    room = max(profile.unexcused_cap - unexcused[semester], 0)
                    if record.unexcused > room:  # the school clarified the rest
                        record.excused += record.unexcused - room
                        record.unexcused = room
                if semester is not None:
                    unexcused[semester] += record.unexcused
                out.days.append((stint, record))
        if profile.kind == ProfileKind.THRESHOLD:
            self._cross_threshold(pupil, profile, out, rng)
        by_day = {(s.enrolment.source_id, r.day): r for s, r in out.days}
        for stint in stints:
            mine = [r for s, r in out.days if s is stint]
            self._grades(stint, mine, by_day, profile, rng, out)
            self._incidents(stint, mine, profile, rng, out)
        return out

    # --- attendance --------------------------------------------------------------------------

    def _attendance(self, stint: Stint, profile: Profile,
                    rng: random.Random) -> list[DayRecord]:
        days = stint.year.days(stint.calendar_grade)
        enrolment = stint.enrolment
        first = bisect.bisect_left(days, enrolment.starts)
        last = len(days) if enrolment.ends is None else bisect.bisect_right(days, enrolment.ends)
        timetable = self.timetable(stint)
        records = []
        spell = 0
        for day in days[first:last]:
            lessons = timetable[day.weekday()]
            if not lessons:
                continue
            bad = profile.badness(day, self.timeline)
            record = DayRecord(day, lessons)
            records.append(record)
            if not spell and rng.random() < profile.illness * (1 + bad):
                spell = rng.choice(_SPELL_LENGTHS)
            if spell:
                spell -= 1
                record.excused = lessons
                continue
            draw = rng.random()
            if draw < 0.045 * bad ** 1.5:  # truancy: the whole day without a reason
                record.unexcused = lessons
            elif draw < 0.045 * bad ** 1.5 + 0.05 * bad ** 2:  # kept at home, parents' note
                record.excused = lessons
            else:
                if rng.random() < 0.01:
                    record.excused = rng.randint(1, min(3, lessons - 1))
                free = lessons - 1 - record.excused
                if free > 0 and rng.random() < 0.004 + 0.12 * bad:
                    record.unexcused = rng.randint(1, min(3, free))
                if rng.random() < 0.01 + 0.06 * bad:
                    record.late = 1
        return records

    def _cross_threshold(self, pupil: DemoPupil, profile: Profile, out: PupilRows,
                         rng: random.Random) -> None:
        """Whole days of truancy until the current semester holds the profile's target."""
        starts, ends = self.timeline.current_semester
        mine = [r for s, r in out.days
                if s.year.offset == 0 and starts <= r.day <= ends]
        count = sum(r.unexcused for r in mine)
        candidates = [r for s, r in out.days if s.year.offset == 0
                      and s.enrolment.source_id == pupil.key and starts <= r.day <= ends
                      and not r.absent_all_day]
        rng.shuffle(candidates)
        for record in candidates:
            if count >= profile.threshold_target:
                break
            count += record.lessons - record.unexcused
            record.unexcused, record.excused, record.late = record.lessons, 0, 0

    # --- grades -----------------------------------------------------------------------------

    def _grades(self, stint: Stint, records: list[DayRecord],
                by_day: dict[tuple[str, dt.date], DayRecord], profile: Profile,
                rng: random.Random, out: PupilRows) -> None:
        if not records:
            return
        by_month: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        for record in records:
            by_month[(record.day.year, record.day.month)].append(record.day)
        offsets = {s: rng.gauss(0, 0.6) for s in stint.subjects}
        points: dict[tuple[str, int | None], list[float]] = defaultdict(list)
        source = stint.enrolment.source_id
        for days in by_month.values():
            for subject in stint.subjects:
                low, high = (2, 4) if subject in _MAIN_SUBJECTS else (1, 2)
                count = min(len(days), round(rng.randint(low, high) * min(1.0, len(days) / 15)))
                for day in sorted(rng.sample(days, count)):
                    bad = profile.badness(day, self.timeline)
                    absent = by_day[(source, day)].absent_all_day
                    if absent and rng.random() < 0.8:
                        continue  # no test written that day; usually rewritten later
                    if absent or rng.random() < 0.01 + 0.04 * bad:
                        out.grades.append((stint, day, subject, "nv", "ongoing"))
                        continue
                    value = rng.gauss(profile.mean_points + offsets[subject] - 1.8 * bad, 1.0)
                    value = min(max(value, 1.0), 10.0)
                    points[(subject, stint.year.semester_of(day))].append(value)
                    out.grades.append((stint, day, subject, self._show(stint, value), "ongoing"))
        self._results(stint, points, rng, out)

    def _results(self, stint: Stint, points: dict[tuple[str, int | None], list[float]],
                 rng: random.Random, out: PupilRows) -> None:
        """Semester-1 (term) and annual results, where the enrolment covers their day."""
        ends = [(stint.year.term_day(), "term", (1,)),
                (stint.year.annual_day(stint.calendar_grade), "annual", (1, 2))]
        for day, kind, semesters in ends:
            if day is None or not stint.enrolment.covers(day):
                continue
            for subject in stint.subjects:
                values = [v for n in semesters for v in points.get((subject, n), [])]
                if not values:
                    out.grades.append((stint, day, subject, "nv", kind))
                    continue
                mean = sum(values) / len(values) + rng.gauss(0, 0.25)
                out.grades.append((stint, day, subject,
                                   self._show(stint, min(max(mean, 1.0), 10.0)), kind))

    @staticmethod
    def _show(stint: Stint, value: float) -> str:
        if not stint.levels:
            return str(round(value))
        return LEVELS[0 if value < 3.5 else 1 if value < 5.5 else 2 if value < 8.5 else 3]

    # --- behaviour ---------------------------------------------------------------------------

    def _incidents(self, stint: Stint, records: list[DayRecord], profile: Profile,
                   rng: random.Random, out: PupilRows) -> None:
        weights = (_BEHAVIOUR_WEIGHTS if profile.kind == ProfileKind.BEHAVIOUR
                   else {c: w for c, (w, _s, _n) in _INCIDENT_CATEGORIES.items()})
        categories, category_weights = list(weights), list(weights.values())
        truants = profile.kind not in (ProfileKind.STEADY, ProfileKind.BEHAVIOUR)
        for record in records:
            bad = profile.badness(record.day, self.timeline)
            if record.absent_all_day:
                if truants and record.unexcused and rng.random() < 0.3:
                    out.incidents.append((stint, record.day, "truancy",
                                          1 if rng.random() < 0.7 else 2,
                                          rng.choice(_TRUANCY_NOTES)))
                continue
            if rng.random() < profile.incident_rate + 0.0006 + 0.01 * bad ** 2:
                category = rng.choices(categories, category_weights)[0]
                _weight, severities, notes = _INCIDENT_CATEGORIES[category]
                out.incidents.append((stint, record.day, category, rng.choice(severities),
                                      rng.choice(notes)))
