"""The scoping function follows memberships, class assignments and grants as they change."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopiena.access.models import PupilAccessGrant
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership
from kopiena.pupils.models import ClassStaff, Pupil
from tests import people as P


def test_class_teacher_sees_exactly_their_class(db: None) -> None:
    teacher = P.user(P.TEACHER_A)
    school_class = ClassStaff.objects.get(user=teacher, kind="class_teacher").school_class
    expected = set(Pupil.objects.filter(school_class=school_class).values_list("pk", flat=True))
    assert expected
    assert set(visible_pupils(teacher).values_list("pk", flat=True)) == expected


def test_subject_teacher_assignment_widens_scope_and_removal_narrows_it(db: None) -> None:
    teacher = P.user(P.TEACHER_A)
    other_class = (
        P.org(P.SCHOOL_A).classes.exclude(staff_assignments__user=teacher)
        .filter(pupils__isnull=False).first()
    )
    assert other_class is not None
    assignment = ClassStaff.objects.create(
        school_class=other_class, user=teacher, kind="subject_teacher", subject="Matemātika"
    )
    assert visible_pupils(P.user(P.TEACHER_A)).filter(school_class=other_class).exists()
    assignment.delete()
    assert not visible_pupils(P.user(P.TEACHER_A)).filter(school_class=other_class).exists()


def test_assignment_in_another_school_without_membership_gives_nothing(db: None) -> None:
    teacher = P.user(P.TEACHER_A)
    class_b = P.org(P.SCHOOL_B).classes.filter(pupils__isnull=False).first()
    assert class_b is not None
    ClassStaff.objects.create(school_class=class_b, user=teacher, kind="subject_teacher",
                              subject="Angļu valoda")
    assert not visible_pupils(P.user(P.TEACHER_A)).filter(school_class=class_b).exists()


def test_ended_membership_ends_scope(db: None) -> None:
    director = P.user(P.DIRECTOR_A)
    assert visible_pupils(director).exists()
    Membership.objects.filter(user=director).update(
        valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not visible_pupils(P.user(P.DIRECTOR_A)).exists()


def test_grant_expiry_and_revocation(db: None) -> None:
    social = P.user(P.SOCIAL)
    pupil = Pupil.objects.filter(school__registration_code=P.SCHOOL_B).first()
    assert pupil is not None
    grant = PupilAccessGrant.objects.create(
        pupil=pupil, kind=PupilAccessGrant.Kind.REFERRAL,
        organisation=social.memberships.get().organisation,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert visible_pupils(P.user(P.SOCIAL)).filter(pk=pupil.pk).exists()
    PupilAccessGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not visible_pupils(P.user(P.SOCIAL)).filter(pk=pupil.pk).exists()
    PupilAccessGrant.objects.filter(pk=grant.pk).update(expires_at=None, revoked_at=timezone.now())
    assert not visible_pupils(P.user(P.SOCIAL)).filter(pk=pupil.pk).exists()


def test_inactive_user_sees_nothing(db: None) -> None:
    director = P.user(P.DIRECTOR_A)
    director.is_active = False
    assert not visible_pupils(director).exists()
