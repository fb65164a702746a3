from django import forms


class DeEscalateForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True,
                             widget=forms.TextInput(attrs={"placeholder": "Why it can end"}))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        max_length=500, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "Why it needs escalating"}),
    )
