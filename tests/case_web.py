"""What the case screen tests share: URLs of a case, today's date as a form sends it, and a
referral to the demo social service."""

from __future__ import annotations

from django.utils import timezone

from kopiena.accounts.models import Membership
from kopiena.cases import actions
from kopiena.cases.models import Referral, SupportCase
from kopiena.organisations.models import Organisation
from tests.base import BaseTestCase


def case_url(case: SupportCase, tail: str = "") -> str:
    return f"/cases/{case.pk}/{tail}"


def today() -> str:
    return timezone.localdate().isoformat()


class CaseViewTestCase(BaseTestCase):
    def social_service(self) -> Organisation:
        return Membership.objects.get(user=self.social_worker).organisation

    def refer_to_social_service(self, case: SupportCase) -> Referral:
        return actions.refer_case(
            case=case, agency=self.social_service(), legal_basis="consent",
            request="Lūdzam izvērtēt ģimenes situāciju.", shared_parts=["summary", "risks"],
            by=self.support_a)
