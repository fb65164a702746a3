from django import forms

from followup.choices import CheckInState

MAX_TEXT = 5000


class ResolutionSummaryForm(forms.Form):
    problem = forms.CharField(label="What was wrong", required=False, max_length=MAX_TEXT,
                              widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(label="What was done", required=False, max_length=MAX_TEXT,
                              widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label="Next steps / prevention", required=False,
                                 max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class CancelStepForm(forms.Form):
    reason = forms.CharField(max_length=500, strip=True)


class CloseCheckInForm(forms.Form):
    state = forms.ChoiceField(choices=[(CheckInState.DONE, "Done"),
                                       (CheckInState.DISMISSED, "Dismissed")])
    note = forms.CharField(max_length=MAX_TEXT, strip=True,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CustomerReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", max_length=20_000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 5}))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(n, str(n)) for n in range(1, 6)])
    comment = forms.CharField(required=False, max_length=MAX_TEXT, strip=True,
                              widget=forms.Textarea(attrs={"rows": 3}))
    nps = forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                 choices=[("", "-")] + [(n, str(n)) for n in range(11)])
