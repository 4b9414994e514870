"""Forms that record something on a case: consent and its withdrawal, a risk assessment, a
contact with the family, a note, and closing the case. Each posts to its own URL, re-checks
the right (manage or contribute, 404 without it) and calls ``kopiena.cases.actions``."""

from __future__ import annotations

import mimetypes
import os

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_stubs_ext import StrOrPromise

from kopiena.access.log import log_access
from kopiena.access.models import AccessLogEntry
from kopiena.access.policies import Policy, access_policy
from kopiena.cases import actions
from kopiena.cases.forms import (
    CloseCaseForm,
    ConsentForm,
    FamilyContactForm,
    NoteForm,
    WithdrawConsentForm,
)
from kopiena.cases.models import CaseStatus
from kopiena.cases.page import Tab
from kopiena.cases.risk_forms import RiskAssessmentForm
from kopiena.cases.web import (
    FormPage,
    Need,
    case_for,
    case_page_url,
    done,
    form_page,
    posted,
    submit,
    user_of,
)


@access_policy(Policy.CASE)
@never_cache
def record_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    form = ConsentForm(posted(request), request.FILES if request.method == "POST" else None,
                       pupil=case.pupil)

    def run() -> None:
        data = form.cleaned_data
        actions.record_consent(
            case=case, given_by=data["given_by"], signer_name=data["signer_name"],
            scope=data["scope"], method=data["method"], given_on=data["given_on"],
            recorded_by=user_of(request), guardian_id=data["guardian"], scan=data["scan"])

    if submit(request, form, run):
        return done(request, case, _("The consent is recorded."), Tab.CONSENT)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Record consent"), submit_label=gettext_lazy("Record the consent"),
        tab=Tab.CONSENT, multipart=True,
        intro=gettext_lazy("The application and consent of the parent, guardian or adult "
                           "pupil. A support plan is approved only with consent to it.")))


@access_policy(Policy.CASE)
@never_cache
def withdraw_consent(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    consent = get_object_or_404(case.consents, pk=consent_id)
    if not consent.is_active:
        messages.info(request, _("This consent was already withdrawn."))
        return redirect(case_page_url(case, Tab.CONSENT))
    form = WithdrawConsentForm(posted(request))
    revoked: list[int] = []

    def run() -> None:
        revoked.append(actions.withdraw_consent(
            consent=consent, withdrawn_on=form.cleaned_data["withdrawn_on"],
            note=form.cleaned_data["note"], by=user_of(request)))

    if submit(request, form, run):
        message = _("The withdrawal is recorded.")
        if revoked[0]:
            message += " " + _("Sharing that rested on the consent has ended: referrals, the "
                               "municipality's view and outside team members.")
        return done(request, case, message, Tab.CONSENT)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Withdraw consent"), submit_label=gettext_lazy("Record the withdrawal"),
        tab=Tab.CONSENT, danger=True,
        intro=_("Consent signed by %(name)s on %(date)s. When no consent remains, every "
                "referral made on the basis of consent, the municipality's view and outside "
                "team members lose access at once.") % {
            "name": consent.signer_name, "date": consent.given_on.strftime("%d.%m.%Y")}))


@access_policy(Policy.CASE)
@never_cache
def consent_scan(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    """The scanned signed application, for the people who manage the case."""
    case, _access = case_for(request, case_id, Need.MANAGE)
    consent = get_object_or_404(case.consents, pk=consent_id)
    if not consent.scan:
        raise Http404
    log_access(request, action=AccessLogEntry.Action.VIEW, pupil_ids=[case.pupil_id])
    extension = os.path.splitext(consent.scan.name or "")[1].lower()
    with consent.scan.open("rb") as scan:
        response = HttpResponse(scan.read(), content_type=mimetypes.guess_type(
            "scan" + extension)[0] or "application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="piekrisana-{consent.pk}{extension}"'
    return response


@access_policy(Policy.CASE)
@never_cache
def assess_risks(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    previous = actions.latest_assessment(case)
    form = RiskAssessmentForm(posted(request), previous=previous,
                              copy_sensitive_notes=access.view_sensitive)

    def run() -> None:
        actions.record_risk_assessment(
            case=case, assessed_on=form.cleaned_data["assessed_on"], by=user_of(request),
            factors=form.factors(), summary=form.cleaned_data["summary"])

    if submit(request, form, run):
        return done(request, case, _("The risk assessment is recorded."), Tab.RISKS)
    intro: StrOrPromise = gettext_lazy("Tick the factors the team found in each of the four risk groups and "
                         "write a short note for each. Plan measures are linked to these "
                         "risks.")
    if previous is not None:
        intro = _("The form starts from the assessment of %(date)s: change what is different "
                  "now. The earlier assessment stays in the case.") % {
            "date": previous.assessed_on.strftime("%d.%m.%Y")}
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Assess risks"), submit_label=gettext_lazy("Save the assessment"),
        tab=Tab.RISKS, intro=intro, fields_template="cases/_risk_fields.html"))


@access_policy(Policy.CASE)
@never_cache
def record_family_contact(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.CONTRIBUTE)
    if case.status != CaseStatus.OPEN:
        messages.info(request, _("The case is closed."))
        return redirect(case_page_url(case, Tab.FAMILY))
    form = FamilyContactForm(posted(request), pupil=case.pupil)

    def run() -> None:
        data = form.cleaned_data
        actions.record_family_contact(
            case=case, contacted_on=data["contacted_on"], kind=data["kind"],
            summary=data["summary"], by=user_of(request), guardian_id=data["guardian"],
            with_whom=data["with_whom"])

    if submit(request, form, run):
        return done(request, case, _("The contact with the family is recorded."), Tab.FAMILY)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Record a contact with the family"),
        submit_label=gettext_lazy("Record the contact"), tab=Tab.FAMILY,
        intro=gettext_lazy("Calls, meetings, letters and visits with the parents or "
                           "guardians. Only the support team reads these notes.")))


@access_policy(Policy.CASE)
@never_cache
def add_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.CONTRIBUTE)
    form = NoteForm(posted(request))

    def run() -> None:
        actions.add_note(case=case, text=form.cleaned_data["text"], by=user_of(request),
                         sensitive=form.cleaned_data["sensitive"])

    if submit(request, form, run):
        return done(request, case, _("The note is added to the timeline."), Tab.TIMELINE)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Add a note"), submit_label=gettext_lazy("Add the note"),
        tab=Tab.TIMELINE))


@access_policy(Policy.CASE)
@never_cache
def close_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    if case.status != CaseStatus.OPEN:
        messages.info(request, _("The case is closed."))
        return redirect(case_page_url(case))
    form = CloseCaseForm(posted(request), case=case)

    def run() -> None:
        actions.close_case(case=case, by=user_of(request), reason=form.cleaned_data["reason"],
                           closed_on=form.cleaned_data["closed_on"],
                           version=form.cleaned_data["version"])

    if submit(request, form, run):
        return done(request, case, _("The case is closed. Every sharing of it has ended."))
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Close the case"), submit_label=gettext_lazy("Close the case"),
        tab=Tab.OVERVIEW, danger=True,
        intro=gettext_lazy("Close the case when the pupil no longer needs individual support, "
                           "or has left the school. Referrals end and outside team members "
                           "lose access. A running support plan must be evaluated first.")))
