from django import forms

from escalation.escalations.choices import EscalationQuality


class DeEscalateForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True,
                             widget=forms.TextInput(attrs={"placeholder": "Why it can end"}))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        max_length=500, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "Why it needs escalating"}),
    )


class LabelForm(forms.Form):
    quality = forms.ChoiceField(choices=EscalationQuality.choices)
