"""``manage.py seed_demo``: institutions, personas, pupils and families of the demo."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from kopiena.access.models import PupilAccessGrant
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership, User
from kopiena.calendars.schooldays import current_school_year
from kopiena.demo import names
from kopiena.demo.personas import DEFAULT_PASSWORD, PERSONAS
from kopiena.demo.reset import remove_demo_data
from kopiena.organisations.models import Organisation, OrganisationKind
from kopiena.pupils.crypto import reveal
from kopiena.pupils.models import (
    ClassStaff,
    Enrolment,
    Gender,
    Guardian,
    Programme,
    Pupil,
    PupilGuardian,
    SchoolClass,
)
from kopiena.pupils.personal_code import parse_personal_code

pytestmark = pytest.mark.django_db

SCHOOLS = {
    "4311900001": OrganisationKind.SECONDARY_SCHOOL,
    "4311900002": OrganisationKind.BASIC_SCHOOL,
    "4311900003": OrganisationKind.VOCATIONAL_SCHOOL,
    "4311900004": OrganisationKind.MUSIC_ART_SCHOOL,
}
FAMILY_OF = {form: pair for pair in names.SURNAMES for form in pair}


def _seed(**options: Any) -> str:
    """Seed the structure only; tests/test_demo_school_data.py covers the school data."""
    out = io.StringIO()
    options.setdefault("no_school_data", True)
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def fresh_demo(settings: Any) -> None:
    """A demo seeded by this test (any demo the session made is removed first)."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    remove_demo_data()
    _seed(pupils=120, seed=1)


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (
        Organisation, User, Membership, SchoolClass, ClassStaff, Pupil, Enrolment, Guardian,
        PupilGuardian, PupilAccessGrant))


def test_the_four_schools_have_their_codes_and_kinds(fresh_demo: None) -> None:
    schools = dict(Organisation.objects.filter(registration_code__in=SCHOOLS)
                   .values_list("registration_code", "kind"))
    assert schools == SCHOOLS
    municipality = Organisation.objects.get(name="Demo novads")
    assert municipality.kind == OrganisationKind.MUNICIPALITY
    for code in SCHOOLS:
        assert Organisation.objects.get(registration_code=code).parent == municipality
    partners = set(municipality.children.filter(kind__in=[
        OrganisationKind.SOCIAL_SERVICE, OrganisationKind.ORPHANS_COURT]).values_list("kind"))
    assert partners == {(OrganisationKind.SOCIAL_SERVICE,), (OrganisationKind.ORPHANS_COURT,)}
    other = Organisation.objects.get(registration_code="4311900011")
    assert other.parent is not None and other.parent.name == "Kaimiņu novads"
    assert 30 <= other.pupils.count() <= 50
    for org in Organisation.objects.filter(registration_code__in=[*SCHOOLS, "4311900011"]):
        org.full_clean()


def test_vocational_groups_are_courses_k1_to_k4(fresh_demo: None) -> None:
    groups = SchoolClass.objects.filter(school__registration_code="4311900003")
    assert {g.grade_display for g in groups} == {"K1", "K2", "K3", "K4"}
    assert all(g.programme == Programme.VET and re.fullmatch(r"[1-4]\.[kmp]", g.label)
               for g in groups)
    assert groups.filter(label="2.k").exists()
    assert not Pupil.objects.filter(school__registration_code="4311900003").exclude(
        programme=Programme.VET).exists()


def test_personas_exist_and_log_in_with_the_password(fresh_demo: None) -> None:
    for persona in PERSONAS:
        user = authenticate(email=persona.email, password=DEFAULT_PASSWORD)
        assert user is not None, persona.email
        assert user.memberships.filter(
            role=persona.role, organisation__registration_code=persona.organisation_code
        ).exists(), persona.email
        assert user.first_name and user.last_name
    assert authenticate(email=PERSONAS[0].email, password="wrong-password") is None
    admin = User.objects.get(email="admin@demo.kopiena.lv")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(pk=admin.pk).filter(
        email__endswith="@demo.kopiena.lv").exists()


def test_class_teacher_personas_lead_exactly_one_class(fresh_demo: None) -> None:
    for email, school, label in (("audzinatajs.a@demo.kopiena.lv", "4311900001", "7.a"),
                                 ("audzinatajs.b@demo.kopiena.lv", "4311900003", "2.k")):
        led = ClassStaff.objects.filter(user__email=email, kind=ClassStaff.Kind.CLASS_TEACHER)
        assert [(c.school_class.school.registration_code, c.school_class.label) for c in led] == [
            (school, label)]
    year = current_school_year()
    for school_class in SchoolClass.objects.filter(school_year=year):
        assert school_class.staff_assignments.filter(
            kind=ClassStaff.Kind.CLASS_TEACHER).count() == 1


def test_every_pupil_is_placed_in_a_class_of_the_current_year(fresh_demo: None) -> None:
    year = current_school_year()
    pupils = Pupil.objects.filter(school__parent__name="Demo novads")
    assert pupils.count() == 120
    assert not pupils.filter(school_class__isnull=True).exists()
    assert not pupils.exclude(school_class__school_year=year).exists()
    for pupil in Pupil.objects.select_related("school_class"):
        assert pupil.school_class is not None
        assert pupil.school_class.school_id == pupil.school_id
        assert pupil.search_name == Pupil.compute_search_name(pupil.first_name, pupil.last_name)


def test_surnames_agree_with_gender(fresh_demo: None) -> None:
    for first, last, gender in Pupil.objects.values_list("first_name", "last_name", "gender"):
        assert last in FAMILY_OF
        if gender == Gender.FEMALE:
            assert last not in names.MASCULINE_ONLY_SURNAMES, (first, last)
            assert first in names.CHILD_FIRST_NAMES_FEMALE
        else:
            assert last not in names.FEMININE_ONLY_SURNAMES, (first, last)
            assert first in names.CHILD_FIRST_NAMES_MALE


def test_parents_carry_the_family_surname_in_their_own_form(fresh_demo: None) -> None:
    links = PupilGuardian.objects.select_related("pupil", "guardian")
    for link in links.filter(relation__in=[PupilGuardian.Relation.MOTHER,
                                           PupilGuardian.Relation.FATHER]):
        masculine, feminine = FAMILY_OF[link.pupil.last_name]
        expected = feminine if link.relation == PupilGuardian.Relation.MOTHER else masculine
        assert link.guardian.name.split()[-1] == expected
        assert re.fullmatch(r"\+371 2\d{7}", link.guardian.phone)
    for pupil in Pupil.objects.all():
        pupil_links = list(pupil.guardian_links.all())
        assert 1 <= len(pupil_links) <= 2
        assert sum(link.is_primary_contact for link in pupil_links) == 1


def test_personal_codes_decrypt_and_match_the_birth_date(fresh_demo: None) -> None:
    old_form = new_form = 0
    for pupil in Pupil.objects.exclude(personal_code_ciphertext=""):
        code = parse_personal_code(reveal(pupil.personal_code_ciphertext))
        if code.is_new_form:
            new_form += 1
        else:
            old_form += 1
            assert code.birth_date == pupil.birth_date
            assert pupil.birth_date < dt.date(2017, 7, 1)
    assert old_form > new_form > 0
    digests = list(Pupil.objects.exclude(personal_code_digest="")
                   .values_list("personal_code_digest", flat=True))
    assert len(digests) == len(set(digests))


def test_birth_dates_fit_the_grade(fresh_demo: None) -> None:
    year = current_school_year()
    assert year is not None
    for pupil in Pupil.objects.select_related("school_class"):
        assert pupil.school_class is not None
        grade = pupil.school_class.grade + (9 if pupil.programme == Programme.VET else 0)
        assert year.starts_on.year - pupil.birth_date.year - grade in {5, 6, 7, 8, 9}


def test_enrolments_tell_each_pupils_school_history(fresh_demo: None) -> None:
    for pupil in Pupil.objects.all():
        current = pupil.enrolments.filter(enrolled_to__isnull=True)
        assert current.count() == 1
        enrolment = current.get()
        assert (enrolment.school_id, enrolment.school_class_id) == (
            pupil.school_id, pupil.school_class_id)
    assert all(re.fullmatch(r"E-\d{6}", s) for s in
               Enrolment.objects.values_list("source_id", flat=True))
    ended = Enrolment.objects.filter(enrolled_to__isnull=False)
    assert ended.exists()
    assert not ended.filter(leaving_reason="").exists()


def test_out_of_family_care_is_represented(settings: Any) -> None:
    settings.DEBUG = True
    remove_demo_data()
    _seed(pupils=600, seed=3)
    kinds = set(Guardian.objects.values_list("kind", flat=True))
    assert {Guardian.Kind.FOSTER_FAMILY, Guardian.Kind.INSTITUTION} <= kinds
    foster = PupilGuardian.objects.filter(relation=PupilGuardian.Relation.FOSTER_FAMILY)
    assert foster.exists() and not foster.filter(has_custody=True).exists()
    assert Enrolment.objects.filter(
        enrolled_to__gte=current_school_year().starts_on).exists()  # type: ignore[union-attr]


def test_grants_make_shared_and_referred_pupils_visible(fresh_demo: None) -> None:
    active = PupilAccessGrant.objects.active()
    shared = active.filter(kind=PupilAccessGrant.Kind.SHARED_WITH_MUNICIPALITY,
                           organisation__name="Demo novads")
    assert shared.count() == 2
    assert all(g.pupil.school.registration_code == "4311900001" for g in shared)  # type: ignore[union-attr]
    assert active.filter(kind=PupilAccessGrant.Kind.REFERRAL).count() == 1
    assert PupilAccessGrant.objects.filter(revoked_at__isnull=False).count() == 1
    municipality = User.objects.get(email="pasvaldiba@demo.kopiena.lv")
    social = User.objects.get(email="socialais@demo.kopiena.lv")
    teacher = User.objects.get(email="audzinatajs.a@demo.kopiena.lv")
    assert set(visible_pupils(municipality)) == {g.pupil for g in shared}
    assert visible_pupils(social).count() == 1
    assert set(visible_pupils(teacher)) == set(Pupil.objects.filter(
        school_class__label="7.a", school__registration_code="4311900001"))


def test_running_twice_changes_nothing(fresh_demo: None) -> None:
    before = _counts()
    _seed(pupils=300, seed=2)
    assert _counts() == before


def test_the_same_seed_gives_the_same_people(settings: Any) -> None:
    settings.DEBUG = True

    def people() -> list[tuple[Any, ...]]:
        remove_demo_data()
        _seed(pupils=40, seed=5, verbosity=0)
        return list(Pupil.objects.order_by("pk").values_list(
            "first_name", "last_name", "birth_date", "school_class__label"))

    assert people() == people()


def test_refuses_without_debug_unless_forced(settings: Any) -> None:
    settings.DEBUG = False
    remove_demo_data()
    with pytest.raises(CommandError, match="DEBUG"):
        _seed(pupils=10)
    assert not Organisation.objects.filter(name="Demo novads").exists()
    _seed(pupils=10, force=True)
    assert Organisation.objects.filter(name="Demo novads").exists()


def test_demo_logins_lists_every_persona(fresh_demo: None) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert all(p.email in text for p in PERSONAS)
    assert DEFAULT_PASSWORD in text
    assert "Demo vidusskola · 7.a" in text
