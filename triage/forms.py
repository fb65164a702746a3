from django import forms


class ParentIncidentForm(forms.Form):
    """Mark or unmark a ticket as a parent incident, with an optional reason."""

    is_parent = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=500, required=False, strip=True)
