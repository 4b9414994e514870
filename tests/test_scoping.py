"""The scoping function follows memberships, class assignments and grants as they change."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kopiena.access.models import PupilAccessGrant
from kopiena.access.scoping import visible_pupils
from kopiena.accounts.models import Membership
from kopiena.pupils.models import ClassStaff, Pupil
from tests.base import BaseTestCase


class ScopingTests(BaseTestCase):
    def test_class_teacher_sees_exactly_their_class(self) -> None:
        school_class = ClassStaff.objects.get(user=self.teacher_a, kind="class_teacher").school_class
        expected = set(Pupil.objects.filter(school_class=school_class).values_list("pk", flat=True))
        assert expected
        assert set(visible_pupils(self.teacher_a).values_list("pk", flat=True)) == expected

    def test_subject_teacher_assignment_widens_scope_and_removal_narrows_it(self) -> None:
        other_class = (
            self.school_a.classes.exclude(staff_assignments__user=self.teacher_a)
            .filter(pupils__isnull=False).first()
        )
        assert other_class is not None
        assignment = ClassStaff.objects.create(
            school_class=other_class, user=self.teacher_a, kind="subject_teacher",
            subject="Matemātika",
        )
        assert visible_pupils(self.fresh(self.teacher_a)).filter(school_class=other_class).exists()
        assignment.delete()
        assert not visible_pupils(self.fresh(self.teacher_a)).filter(
            school_class=other_class
        ).exists()

    def test_assignment_in_another_school_without_membership_gives_nothing(self) -> None:
        class_b = self.school_b.classes.filter(pupils__isnull=False).first()
        assert class_b is not None
        ClassStaff.objects.create(school_class=class_b, user=self.teacher_a,
                                  kind="subject_teacher", subject="Angļu valoda")
        assert not visible_pupils(self.fresh(self.teacher_a)).filter(school_class=class_b).exists()

    def test_ended_membership_ends_scope(self) -> None:
        assert visible_pupils(self.director_a).exists()
        Membership.objects.filter(user=self.director_a).update(
            valid_to=timezone.localdate() - dt.timedelta(days=1)
        )
        assert not visible_pupils(self.fresh(self.director_a)).exists()

    def test_grant_expiry_and_revocation(self) -> None:
        pupil = Pupil.objects.filter(school=self.school_b).first()
        assert pupil is not None
        grant = PupilAccessGrant.objects.create(
            pupil=pupil, kind=PupilAccessGrant.Kind.REFERRAL,
            organisation=self.social_worker.memberships.get().organisation,
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        assert visible_pupils(self.social_worker).filter(pk=pupil.pk).exists()
        PupilAccessGrant.objects.filter(pk=grant.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        assert not visible_pupils(self.social_worker).filter(pk=pupil.pk).exists()
        PupilAccessGrant.objects.filter(pk=grant.pk).update(
            expires_at=None, revoked_at=timezone.now()
        )
        assert not visible_pupils(self.social_worker).filter(pk=pupil.pk).exists()

    def test_inactive_user_sees_nothing(self) -> None:
        self.director_a.is_active = False
        assert not visible_pupils(self.director_a).exists()

    def test_other_municipality_pupils_are_invisible_to_every_persona(self) -> None:
        foreign = Pupil.objects.filter(school=self.other_municipality_school)
        assert foreign.exists()
        for attribute in self.PERSONA_ATTRIBUTES:
            user = getattr(self, attribute)
            assert not visible_pupils(user).filter(pk__in=foreign).exists(), attribute
