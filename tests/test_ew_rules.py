"""Support rules: shipped defaults, resolution, tightening, levels and reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import translation

from kopiena.earlywarning.catalogue import Comparison, Indicator, SupportLevel, tightens
from kopiena.earlywarning.models import SupportRule
from kopiena.earlywarning.reasons import Reason, render_reasons
from kopiena.earlywarning.rules import assess, rules_for, save_support_rule
from tests import people as P
from tests.test_ew_factories import make_indicators, school

pytestmark = pytest.mark.django_db

TARGETED_30D = (Indicator.ATTENDANCE_RATE_30D, SupportLevel.TARGETED)


def _rule(org_code: str | None, indicator: str, comparison: str, threshold: str,
          level: str, **extra: object) -> SupportRule:
    return SupportRule(organisation=P.org(org_code) if org_code else None, indicator=indicator,
                       comparison=comparison, threshold=Decimal(threshold), level=level,
                       **extra)


def _in_force(code: str, key: tuple[str, str] = TARGETED_30D) -> SupportRule:
    (rule,) = [r for r in rules_for(school(code)) if r.key == key]
    return rule


def _reasons(**values: object) -> tuple[str, list[str]]:
    assessment = assess(make_indicators(**values), rules_for(school(P.SCHOOL_A)))
    return assessment.level, assessment.rendered_reasons()


def test_the_defaults_are_shipped_with_their_sources() -> None:
    defaults = SupportRule.objects.filter(organisation__isnull=True, is_active=True)
    assert defaults.count() == 14
    assert all(rule.source for rule in defaults)
    statutory = defaults.get(indicator=Indicator.UNEXCUSED_LESSONS_SEMESTER,
                             level=SupportLevel.INTENSIVE)
    assert (statutory.comparison, statutory.threshold) == (">", Decimal(20))
    assert "Regulation No. 89" in statutory.source
    attendance = {(r.level, r.threshold) for r in defaults.filter(
        indicator=Indicator.ATTENDANCE_RATE_30D)}
    assert attendance == {("universal", Decimal("0.95")), ("targeted", Decimal("0.9")),
                          ("intensive", Decimal("0.8"))}


def test_municipality_overrides_and_school_tightens() -> None:
    assert _in_force(P.SCHOOL_A).threshold == Decimal("0.9")
    municipality_code = school(P.SCHOOL_A).parent.registration_code  # type: ignore[union-attr]
    municipal = _rule(municipality_code, *TARGETED_30D[:1], "<", "0.92", TARGETED_30D[1])
    save_support_rule(rule=municipal, user=None)
    assert _in_force(P.SCHOOL_A).threshold == Decimal("0.92")
    assert _in_force(P.SCHOOL_B).threshold == Decimal("0.92")
    assert _in_force(P.SCHOOL_OTHER_MUNICIPALITY).threshold == Decimal("0.9")
    own = _rule(P.SCHOOL_A, Indicator.ATTENDANCE_RATE_30D, "<", "0.93", SupportLevel.TARGETED)
    save_support_rule(rule=own, user=None)
    assert _in_force(P.SCHOOL_A).pk == own.pk
    assert _in_force(P.SCHOOL_B).threshold == Decimal("0.92")


def test_a_school_can_only_tighten() -> None:
    looser = _rule(P.SCHOOL_A, Indicator.ATTENDANCE_RATE_30D, "<", "0.85",
                   SupportLevel.TARGETED)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        looser.full_clean()
    message = " ".join(error.value.messages)
    assert "can only tighten" in message
    assert "less than 90%" in message
    other_way = _rule(P.SCHOOL_A, Indicator.ATTENDANCE_RATE_30D, ">", "0.5",
                      SupportLevel.TARGETED)
    with pytest.raises(ValidationError):
        other_way.full_clean()
    fewer_lessons = _rule(P.SCHOOL_A, Indicator.UNEXCUSED_LESSONS_SEMESTER, ">=", "8",
                          SupportLevel.TARGETED)
    fewer_lessons.full_clean()
    more_lessons = _rule(P.SCHOOL_A, Indicator.UNEXCUSED_LESSONS_SEMESTER, ">=", "12",
                         SupportLevel.TARGETED)
    with pytest.raises(ValidationError):
        more_lessons.full_clean()
    # A rule for a key nothing inherits only adds pupils: allowed.
    _rule(P.SCHOOL_A, Indicator.LATE_SEMESTER, ">=", "10", SupportLevel.UNIVERSAL).full_clean()


def test_a_school_rule_is_ignored_once_the_municipality_tightens_past_it() -> None:
    own = _rule(P.SCHOOL_A, Indicator.ATTENDANCE_RATE_30D, "<", "0.91", SupportLevel.TARGETED)
    save_support_rule(rule=own, user=None)
    municipality_code = school(P.SCHOOL_A).parent.registration_code  # type: ignore[union-attr]
    save_support_rule(rule=_rule(municipality_code, Indicator.ATTENDANCE_RATE_30D, "<", "0.93",
                                 SupportLevel.TARGETED), user=None)
    assert _in_force(P.SCHOOL_A).threshold == Decimal("0.93")


@pytest.mark.parametrize(("comparison", "threshold", "inherited", "expected"), [
    ("<", "0.97", ("<", "0.95"), True),
    ("<", "0.95", ("<", "0.95"), True),
    ("<=", "0.95", ("<", "0.95"), True),
    ("<", "0.95", ("<=", "0.95"), False),
    ("<", "0.90", ("<", "0.95"), False),
    (">=", "15", (">", "20"), True),
    (">", "20", (">=", "20"), False),
    (">=", "25", (">", "20"), False),
    (">", "0.5", ("<", "0.95"), False),
])
def test_tightening(comparison: str, threshold: str, inherited: tuple[str, str],
                    expected: bool) -> None:
    assert tightens(comparison=comparison, threshold=Decimal(threshold),
                    inherited_comparison=inherited[0],
                    inherited_threshold=Decimal(inherited[1])) is expected


def test_rules_belong_to_a_municipality_or_a_school() -> None:
    with pytest.raises(ValidationError):
        _rule("90000000002", Indicator.LATE_SEMESTER, ">", "5",  # the social service
              SupportLevel.UNIVERSAL).full_clean()


def test_one_active_default_per_indicator_and_level() -> None:
    with pytest.raises(ValidationError):
        _rule(None, *TARGETED_30D[:1], "<", "0.91", TARGETED_30D[1]).full_clean()


@pytest.mark.parametrize("template", ["%(unknown)s lessons", "attendance under 95%"])
def test_a_custom_reason_must_use_known_placeholders(template: str) -> None:
    rule = _rule(P.SCHOOL_A, Indicator.LATE_SEMESTER, ">", "5", SupportLevel.UNIVERSAL,
                 reason_template=template)
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_every_change_is_logged_with_who_changed_it() -> None:
    user = P.user(P.SUPPORT_A)
    rule = _rule(P.SCHOOL_A, Indicator.LATE_SEMESTER, ">=", "10", SupportLevel.UNIVERSAL)
    save_support_rule(rule=rule, user=user)
    rule.threshold = Decimal(8)
    save_support_rule(rule=rule, user=user)
    assert rule.changed_by == user
    entries = LogEntry.objects.get_for_object(rule)
    assert entries.count() == 2
    last = entries.order_by("pk").last()
    assert last is not None
    assert "threshold" in last.changes_dict


def test_unexcused_lessons_on_the_way_to_the_limit() -> None:
    with translation.override("en"):
        assert _reasons(unexcused_lessons_semester=14) == (
            "targeted", ["14 unexcused lessons this semester; the limit is 20"])
        assert _reasons(unexcused_lessons_semester=21) == (
            "intensive", ["21 unexcused lessons this semester; the limit is 20"])
        assert _reasons(unexcused_lessons_semester=20)[0] == "targeted"
        assert _reasons(unexcused_lessons_semester=9) == ("universal", [])


def test_the_level_is_the_highest_and_each_indicator_gives_one_reason() -> None:
    with translation.override("en"):
        level, reasons = _reasons(attendance_rate_30d=0.75, insufficient_results_semester=1,
                                  serious_incidents_30d=1)
    assert level == "intensive"
    assert reasons == ["Attendance in the last 30 school days is 75%, below 80%",
                       "1 serious incident in the last 30 school days",
                       "1 insufficient result this semester"]


@pytest.mark.parametrize(("rate", "level"), [
    (0.95, "universal"), (0.9499, "universal"), (0.90, "universal"), (0.8999, "targeted"),
    (0.80, "targeted"), (0.7999, "intensive"),
])
def test_attendance_bands(rate: float, level: str) -> None:
    assert _reasons(attendance_rate_30d=rate)[0] == level


def test_universal_support_can_carry_a_reason() -> None:
    with translation.override("en"):
        assert _reasons(attendance_rate_semester=0.93) == (
            "universal", ["Attendance this semester is 93%, below 95%"])


def test_no_rate_matches_no_rule() -> None:
    assert _reasons(attendance_rate_30d=None, attendance_rate_semester=None) == (
        "universal", [])


def test_blocking_subjects_are_named_and_behaviour_share_is_a_percentage() -> None:
    with translation.override("en"):
        level, reasons = _reasons(blocking_subjects=("Matemātika", "Vēsture"),
                                  behaviour_incident_day_share_30d=0.3)
    assert level == "intensive"
    assert reasons == [
        "Incidents on 30% of school days in the last 30 school days (threshold 25%)",
        "Promotion at risk: the term or annual result is insufficient in Matemātika, Vēsture",
    ]


def test_reasons_are_rendered_from_stored_data_in_the_active_language() -> None:
    assessment = assess(make_indicators(attendance_rate_30d=0.875),
                        rules_for(school(P.SCHOOL_A)))
    stored = assessment.reasons_json()
    assert stored[0]["indicator"] == "attendance_rate_30d"
    assert stored[0]["value"] == 0.875
    assert stored[0]["threshold"] == "0.9000"
    with translation.override("en"):
        assert render_reasons(stored) == [
            "Attendance in the last 30 school days is 87.5%, below 90%"]
    with translation.override("lv"):
        assert "87,5" in render_reasons(stored)[0]


def test_a_custom_reason_text_is_used_as_written() -> None:
    reason = Reason(indicator=Indicator.LATE_SEMESTER, value=12, comparison=Comparison.GE,
                    threshold="10.0000", level="universal",
                    template="Kavējumi: %(value)s (robeža %(threshold)s)")
    assert reason.render() == "Kavējumi: 12 (robeža 10)"
    broken = Reason(indicator=Indicator.LATE_SEMESTER, value=12, comparison=Comparison.GE,
                    threshold="10.0000", level="universal", template="%(nope)s")
    with translation.override("en"):
        assert broken.render() == "Late 12 times this semester (threshold 10)"
