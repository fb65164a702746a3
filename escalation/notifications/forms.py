"""Admin form of a channel: its secret is written, never shown again."""

from typing import Any

from django import forms
from django.db import models

from escalation.notifications.models import NotificationChannel


def _https_unless_typed(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # As the admin's formfield_overrides do: a URL typed without a scheme is https.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class NotificationChannelForm(forms.ModelForm):
    """
    The secret field starts empty: a page, a screenshot or a shared screen never shows the
    stored token. Left empty it keeps the token; "forget the secret" removes it.
    """

    secret = forms.CharField(
        required=False, max_length=200, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Sent as 'Authorization: Bearer <secret>'. Leave empty to keep the current "
        "one; it is never shown again.",
    )
    forget_secret = forms.BooleanField(required=False, label="Forget the secret")

    class Meta:
        model = NotificationChannel
        fields = ("name", "kind", "enabled", "default_on", "url", "secret",
                  "allow_private_address", "kinds", "teams")
        formfield_callback = _https_unless_typed

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.secret:
            self.fields["secret"].widget.attrs["placeholder"] = "(a secret is set)"

    def clean_secret(self) -> str:
        if self.cleaned_data.get("secret"):
            return self.cleaned_data["secret"]
        if self.data.get(self.add_prefix("forget_secret")):
            return ""
        return self.instance.secret
