"""Forms of routing's agent actions; views validate with them, services do the work."""

from django import forms

from routing.choices import Presence
from tickets.models import Team


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=Presence.choices)


class TransferForm(forms.Form):
    to_team = forms.ModelChoiceField(queryset=Team.objects.all(),
                                     error_messages={"required": "Choose a team."})
    note = forms.CharField(max_length=2000, required=False)
    customer_message = forms.CharField(max_length=10_000, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000, strip=True,
                             error_messages={"required": "Say why the transfer is rejected."})


class FollowForm(forms.Form):
    follow = forms.BooleanField(required=False)
