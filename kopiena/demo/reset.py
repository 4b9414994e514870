"""Remove the demo data again (used by tests that need a fresh seed).

Deleting demo rows is not audited (they were created in bulk, unaudited, too). The access
log is append-only and protects the users it names, so this fails with
``ProtectedError`` once a demo user has read pupil data; recreate the database instead.
"""

from __future__ import annotations

from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Q

from kopiena.accounts.models import Membership, User
from kopiena.cases.models import MentorProfile, SupportCase
from kopiena.conferences.models import CaseConference
from kopiena.demo.personas import DEMO_DOMAIN
from kopiena.demo.structure import ORGANISATIONS
from kopiena.organisations.models import Organisation
from kopiena.plans.models import Delivery, SupportPlan
from kopiena.pupils.models import Guardian, Pupil, SchoolClass


def remove_demo_data() -> None:
    codes = [spec.code for spec in ORGANISATIONS]
    with transaction.atomic(), disable_auditlog():
        orgs = list(Organisation.objects.filter(registration_code__in=codes))
        pupil_ids = set(
            Pupil.objects.filter(Q(school__in=orgs) | Q(enrolments__school__in=orgs))
            .values_list("pk", flat=True)
        )
        # Support cases and plans first: they protect their pupils, schools and staff.
        Delivery.objects.filter(plan__pupil_id__in=pupil_ids).delete()
        SupportPlan.objects.filter(pupil_id__in=pupil_ids).delete()
        CaseConference.objects.filter(school__in=orgs).delete()
        SupportCase.objects.filter(pupil_id__in=pupil_ids).delete()
        MentorProfile.objects.filter(organisation__in=orgs).delete()
        guardian_ids = set(
            Guardian.objects.filter(pupil_links__pupil__in=pupil_ids)
            .values_list("pk", flat=True)
        )
        Pupil.objects.filter(pk__in=pupil_ids).delete()
        Guardian.objects.filter(pk__in=guardian_ids).delete()
        SchoolClass.objects.filter(school__in=orgs).delete()
        user_ids = set(
            Membership.objects.filter(organisation__in=orgs).values_list("user_id", flat=True)
        )
        Membership.objects.filter(organisation__in=orgs).delete()
        User.objects.filter(Q(pk__in=user_ids) | Q(email__endswith=DEMO_DOMAIN)).delete()
        # Children before parents (parent is a protected foreign key).
        for org in sorted(orgs, key=lambda o: o.parent_id is None):
            org.delete()
