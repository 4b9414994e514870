from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.inbox.models import EmailMode


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mail me"), choices=EmailMode.choices, widget=forms.RadioSelect,
        help_text=_("Everything always arrives in your Kopiena inbox; this decides only the "
                    "e-mail."))
