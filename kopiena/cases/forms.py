"""Forms of the case screens: opening or referring, the team, consent, the family contact log,
notes, closing, and the case list's filters. Each form only parses what the person typed; the
rules are checked by ``kopiena.cases.actions``, whose messages the views put on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kopiena.accounts.models import User
from kopiena.accounts.roles import Role
from kopiena.cases.access import SUPPORT_TEAM_ROLES, OpeningRight
from kopiena.cases.fields import PersonChoiceField, date_field, people_at, text_area
from kopiena.cases.models import (
    CaseOrigin,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    ContactKind,
    SupportCase,
    TeamRole,
)
from kopiena.organisations.models import PARTNER_AGENCY_KINDS, Organisation
from kopiena.pupils.models import Pupil

MEGABYTE = 1024 * 1024
MAX_SCAN_MEGABYTES = 10
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


class OpenCaseForm(forms.Form):
    """The support team opens a case; a class teacher refers a pupil (reason only)."""

    origin = forms.ChoiceField(
        label=_("How did the case come about?"), widget=forms.RadioSelect,
        choices=[(CaseOrigin.FLAG, _("The pupil's support level (a flag)")),
                 (CaseOrigin.PARENT_REQUEST, _("The parent's request")),
                 (CaseOrigin.TEACHER_REFERRAL, _("A teacher's referral"))],
        initial=CaseOrigin.FLAG,
    )
    reason = forms.CharField(
        label=_("Why does the pupil need support?"), widget=text_area(5), max_length=4000,
        help_text=_("What you have noticed: attendance, learning, behaviour, wellbeing, the "
                    "family's situation as far as the school knows it. Write facts, not "
                    "labels."),
    )
    case_manager = PersonChoiceField(
        label=_("Case manager"), queryset=User.objects.none(), required=False,
        empty_label=_("The school's support coordinator"),
        help_text=_("The person who runs the case and answers for the next step."),
    )

    def __init__(self, *args: Any, pupil: Pupil, right: OpeningRight, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if right is OpeningRight.REFER:
            del self.fields["origin"]
            del self.fields["case_manager"]
            self.fields["reason"].label = _("What should the support team know?")
        else:
            field = self.fields["case_manager"]
            assert isinstance(field, PersonChoiceField)
            field.queryset = people_at([pupil.school_id or 0], SUPPORT_TEAM_ROLES)


class TeamMemberForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none(),
                               empty_label=_("Choose a person"))
    role = forms.ChoiceField(
        label=_("Role in the team"),
        choices=[(r.value, r.label) for r in TeamRole
                 if r not in (TeamRole.CASE_MANAGER, TeamRole.MENTOR)],
        help_text=_("Mentors are matched on their own page, where the mentor rules are "
                    "checked."),
    )

    def __init__(self, *args: Any, case: SupportCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality_id = case.school.municipality_id
        agencies = (list(Organisation.objects.filter(
            parent_id=municipality_id, kind__in=PARTNER_AGENCY_KINDS, is_active=True,
        ).values_list("pk", flat=True)) if municipality_id is not None else [])
        on_team = case.team.filter(removed_on__isnull=True).values("user_id")
        field = self.fields["person"]
        assert isinstance(field, PersonChoiceField)
        field.queryset = people_at([case.school_id, *agencies]).exclude(pk__in=on_team)


def version_field() -> forms.IntegerField:
    """The case version the form was opened on (someone else's change is noticed)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


class CaseManagerForm(forms.Form):
    manager = PersonChoiceField(label=_("New case manager"), queryset=User.objects.none(),
                                empty_label=_("Choose a person"))
    version = version_field()

    def __init__(self, *args: Any, case: SupportCase, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)
        field = self.fields["manager"]
        assert isinstance(field, PersonChoiceField)
        field.queryset = people_at([case.school_id], [*SUPPORT_TEAM_ROLES, Role.CLASS_TEACHER]
                                   ).exclude(pk=case.case_manager_id)


def guardian_field(label: StrOrPromise) -> forms.TypedChoiceField:
    """The pupil's guardians, as "Name (relation)"; the choices are set per pupil."""
    return forms.TypedChoiceField(label=label, coerce=int, empty_value=None, required=False)


def _offer_guardians(form: forms.Form, pupil: Pupil, empty_label: StrOrPromise) -> dict[int, str]:
    """Fill the form's ``guardian`` choices; returns the guardians' names by id."""
    links = pupil.guardian_links.select_related("guardian")
    names = {link.guardian_id: link.guardian.name for link in links}
    field = form.fields["guardian"]
    assert isinstance(field, forms.TypedChoiceField)
    field.choices = [("", empty_label), *[
        (link.guardian_id, f"{link.guardian.name} ({link.get_relation_display()})")
        for link in links]]
    return names


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(label=_("Who gave the consent"), widget=forms.RadioSelect,
                                 choices=ConsentGiver.choices, initial=ConsentGiver.PARENT)
    guardian = guardian_field(_("Which parent or guardian"))
    signer_name = forms.CharField(
        label=_("Name of the signer"), required=False, max_length=200,
        help_text=_("Leave empty to use the name of the guardian chosen above."))
    scope = forms.MultipleChoiceField(
        label=_("The consent covers"), widget=forms.CheckboxSelectMultiple,
        choices=ConsentScope.choices, initial=[ConsentScope.SUPPORT_PLAN],
        error_messages={"required": _("Tick what the consent covers.")})
    method = forms.ChoiceField(label=_("How it was signed"), widget=forms.RadioSelect,
                               choices=ConsentMethod.choices,
                               initial=ConsentMethod.SIGNED_IN_PERSON)
    scan = forms.FileField(
        label=_("Scanned signed application"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SCAN_EXTENSIONS)}),
        help_text=_("Required when the paper was signed and scanned. PDF, JPG or PNG, at "
                    "most %(size)d MB.") % {"size": MAX_SCAN_MEGABYTES})
    given_on = date_field(_("Signed on"))

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        self.guardian_names = _offer_guardians(self, pupil, _("Not listed, or the pupil"))

    def clean_scan(self) -> UploadedFile | None:
        scan: UploadedFile | None = self.cleaned_data.get("scan")
        if scan is None:
            return None
        if not (scan.name or "").lower().endswith(SCAN_EXTENSIONS):
            raise ValidationError(_("Attach a PDF, JPG or PNG file."))
        if scan.size is not None and scan.size > MAX_SCAN_MEGABYTES * MEGABYTE:
            raise ValidationError(_("The file is larger than %(size)d MB.")
                                  % {"size": MAX_SCAN_MEGABYTES})
        return scan

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("signer_name") or "").strip():
            guardian_id = data.get("guardian")
            if data.get("given_by") == ConsentGiver.ADULT_PUPIL:
                data["signer_name"] = self.pupil.full_name
            elif guardian_id is not None:
                data["signer_name"] = self.guardian_names.get(guardian_id, "")
            else:
                self.add_error("signer_name", _("Write the name of the person who signed."))
        return data


class WithdrawConsentForm(forms.Form):
    withdrawn_on = date_field(_("Withdrawn on"))
    note = forms.CharField(label=_("How the withdrawal was received"), widget=text_area(),
                           max_length=2000,
                           help_text=_("For example: a written application of the mother, "
                                       "received by the class teacher."))


class FamilyContactForm(forms.Form):
    contacted_on = date_field(_("Date"))
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=ContactKind.choices)
    guardian = guardian_field(_("With"))
    with_whom = forms.CharField(label=_("With whom, if not listed"), required=False,
                                max_length=200)
    summary = forms.CharField(label=_("What was said or agreed"), widget=text_area(4),
                              max_length=4000)

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_guardians(self, pupil, _("Someone not listed"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("guardian") is None and not (data.get("with_whom") or "").strip():
            self.add_error("with_whom", _("Choose a guardian or write with whom you spoke."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=text_area(4), max_length=500)
    sensitive = forms.BooleanField(
        label=_("Sensitive (health, family or behaviour)"), required=False,
        help_text=_("Shown only to those who may read sensitive notes."))


class CloseCaseForm(forms.Form):
    reason = forms.CharField(label=_("Why the case is closed"), widget=text_area(),
                             max_length=400)
    closed_on = date_field(_("Closed on"))
    version = version_field()

    def __init__(self, *args: Any, case: SupportCase, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_closed_on(self) -> Any:
        day = self.cleaned_data["closed_on"]
        if day < self.case.opened_on:
            raise ValidationError(_("The case cannot close before it was opened."))
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class ConfirmForm(forms.Form):
    """A confirmation: the button is the whole form."""
