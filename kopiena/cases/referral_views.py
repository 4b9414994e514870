"""Referrals: the school refers a case to a partner agency or to the municipal child-rights
cooperation group, the agency accepts or declines, the school revokes (access ends at once)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kopiena.access.policies import Policy, access_policy
from kopiena.cases import actions
from kopiena.cases.models import ReferralStatus
from kopiena.cases.page import Tab
from kopiena.cases.referral_forms import AnswerReferralForm, ReferralForm, RevokeReferralForm
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

LIVE = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


@access_policy(Policy.CASE)
@never_cache
def refer(request: HttpRequest, case_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    form = ReferralForm(posted(request), case=case)

    def run() -> None:
        data = form.cleaned_data
        agency = data["agency"]
        actions.refer_case(
            case=case, agency=agency, legal_basis=data["legal_basis"], request=data["request"],
            shared_parts=form.parts, by=user_of(request), basis_note=data["basis_note"],
            to_cooperation_group=agency.is_municipality)

    if submit(request, form, run):
        return done(request, case, _("The case is referred to %(agency)s. Its workers have "
                                     "been notified.") % {
            "agency": form.cleaned_data["agency"].name}, Tab.REFERRALS)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Refer the case"), submit_label=gettext_lazy("Refer the case"),
        tab=Tab.REFERRALS,
        intro=gettext_lazy("A partner agency, or the municipality's child-rights cooperation "
                           "group (Cabinet Regulation No. 545), sees only this case and only "
                           "the parts you tick, until it declines or the school revokes the "
                           "referral.")))


@access_policy(Policy.CASE)
@never_cache
def answer_referral(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    """The agency accepts or declines a pending referral (an answer is needed to decline)."""
    case, access = case_for(request, case_id)
    referral = access.referral
    if referral is None or referral.pk != referral_id:
        raise Http404
    if referral.status != ReferralStatus.PENDING:
        messages.info(request, _("This referral has already been answered."))
        return redirect(case_page_url(case))
    form = AnswerReferralForm(posted(request))

    def run() -> None:
        actions.answer_referral(referral=referral, accept=form.accepts,
                                answer=form.cleaned_data["answer"], by=user_of(request))

    if submit(request, form, run):
        if form.accepts:
            return done(request, case, _("You accepted the referral. The school has been "
                                         "notified."))
        messages.success(request, _("You declined the referral. The school has been notified; "
                                    "the case is no longer shared with your agency."))
        return redirect("cases:list")
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Answer the referral"), submit_label="", tab=Tab.OVERVIEW,
        fields_template="cases/_answer_fields.html",
        extra={"referral": referral}))


@access_policy(Policy.CASE)
@never_cache
def revoke_referral(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    case, access = case_for(request, case_id, Need.MANAGE)
    referral = get_object_or_404(case.referrals.select_related("agency"), pk=referral_id)
    if referral.status not in LIVE:
        messages.info(request, _("This referral is no longer active."))
        return redirect(case_page_url(case, Tab.REFERRALS))
    form = RevokeReferralForm(posted(request))

    def run() -> None:
        actions.revoke_referral(referral=referral, by=user_of(request),
                                reason=form.cleaned_data["reason"])

    if submit(request, form, run):
        return done(request, case, _("The referral is revoked: %(agency)s no longer sees the "
                                     "case.") % {"agency": referral.agency.name},
                    Tab.REFERRALS)
    return form_page(request, case, access, form, FormPage(
        title=gettext_lazy("Revoke the referral"), submit_label=gettext_lazy("Revoke"),
        tab=Tab.REFERRALS, danger=True,
        intro=_("%(agency)s will no longer see this case, from this moment.") % {
            "agency": referral.agency.name}))
