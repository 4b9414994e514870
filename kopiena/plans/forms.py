"""Forms of the plan pages: writing a plan, editing its text, reviews and the evaluation.

The forms only parse what the user typed; the rules are checked by the actions
(``kopiena.plans.actions``, ``kopiena.plans.evaluation``), whose messages are put back next
to the fields with :func:`show_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopiena.calendars.models import Semester
from kopiena.plans.models import Outcome, SupportPlan
from kopiena.plans.workflow import EDITABLE

TEXTAREA = {"rows": 4}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def show_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's messages next to the fields they name, the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        form.add_error(None, error)


def semester_text(semester: Semester) -> str:
    return str(_("%(year)s, semester %(number)d (%(start)s–%(end)s)") % {
        "year": semester.school_year.name, "number": semester.number,
        "start": semester.starts_on.strftime("%d.%m.%Y"),
        "end": semester.ends_on.strftime("%d.%m.%Y")})


class PlanCreateForm(forms.Form):
    semester = forms.TypedChoiceField(label=_("Semester"), coerce=int,
                                      widget=forms.RadioSelect)
    previous = forms.TypedChoiceField(
        label=_("Start from"), coerce=int, empty_value=None, required=False,
        widget=forms.RadioSelect,
        help_text=_("A plan that continues an earlier one takes over its measures, linked to "
                    "the same risks; change them afterwards as needed."))
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs=TEXTAREA),
                            help_text=_("What should be different at the end of the semester, "
                                        "in words the pupil and the family understand."))
    pupil_commitment = forms.CharField(
        label=_("The pupil's commitment"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What the pupil undertakes to do, for example to attend every consultation."))

    def __init__(self, *args: Any, semesters: list[Semester],
                 previous_plans: list[SupportPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["semester"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(s.pk, semester_text(s)) for s in semesters]
        previous = self.fields["previous"]
        assert isinstance(previous, forms.TypedChoiceField)
        if previous_plans:
            previous.choices = [("", _("A new plan without measures"))] + [
                (p.pk, _("Continue from plan %(code)s (%(year)s, semester %(number)d)") % {
                    "code": p.code, "year": p.school_year.name, "number": p.semester})
                for p in previous_plans]
        else:
            del self.fields["previous"]


class PlanEditForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=forms.Textarea(attrs=TEXTAREA))
    pupil_commitment = forms.CharField(label=_("The pupil's commitment"), required=False,
                                       widget=forms.Textarea(attrs=TEXTAREA))
    pupil_agreed = forms.BooleanField(
        label=_("The pupil agrees to take part"), required=False,
        help_text=_("Tick when the pupil has agreed to the plan, for example by signing it."))
    next_review_on = forms.DateField(
        label=_("Next review"), required=False, widget=date_input(),
        help_text=_("A date within the plan's semester; the team is reminded of it."))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: SupportPlan, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update({
            "goals": plan.goals, "pupil_commitment": plan.pupil_commitment,
            "pupil_agreed": plan.pupil_agreed, "next_review_on": plan.next_review_on,
            "version": plan.version})
        super().__init__(*args, **kwargs)
        if plan.status not in EDITABLE:
            # An approved plan's goals are changed through a revision.
            self.fields["goals"].disabled = True
            self.fields["goals"].help_text = _("The goals of an approved plan are changed "
                                               "through a revision.")


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=date_input())
    progress = forms.CharField(label=_("How the support is going"),
                               widget=forms.Textarea(attrs=TEXTAREA))
    next_steps = forms.CharField(label=_("Next steps"), required=False,
                                 widget=forms.Textarea(attrs=TEXTAREA))
    next_review_on = forms.DateField(label=_("Next review"), required=False, widget=date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class EvaluationForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices,
                                widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("What the support achieved"), widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Which goals were reached, what helped, what did not."))
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=date_input())
    continue_support = forms.BooleanField(
        label=_("If support continues: draft next semester's plan from this one now"),
        required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("evaluated_on", timezone.localdate())
        super().__init__(*args, **kwargs)
