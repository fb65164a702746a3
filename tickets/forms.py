"""Forms of the public pages; they validate input and leave every write to the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tickets.choices import Impact

MAX_SUBJECT = 255
MAX_DESCRIPTION = 65_536
MAX_ATTACHMENTS = 10
HONEYPOT_FIELD = "website"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans each one like FileField."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        cleaned = super().clean(data, initial)
        return [cleaned] if cleaned else []


class SupportRequestForm(forms.Form):
    """A customer's request for help, with the same limits as POST /api/v1/tickets/."""

    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    description = forms.CharField(
        label=_("How can we help?"),
        max_length=MAX_DESCRIPTION,
        # Kept verbatim, as the API does: leading spaces may be indented logs or code.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe what happened, what you expected, and any error messages."),
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the acknowledgement and our replies here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    organization = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    product_area = forms.CharField(
        label=_("Product area (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example: billing portal, mobile app, reports."),
    )
    impact = forms.MultipleChoiceField(
        label=_("What is affected? (optional)"),
        choices=Impact.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
    )
    # Bots fill every input; people never see this one (hidden by CSS, skipped by screen readers).
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files, %(size)s each at most."
        ) % {"count": MAX_ATTACHMENTS, "size": filesizeformat(_attachment_limit())}
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def is_spam(self) -> bool:
        """Return whether the honeypot was filled, which only bots do."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean_description(self) -> str:
        description: str = self.cleaned_data["description"]
        if not description.strip():
            raise forms.ValidationError(self.fields["description"].error_messages["required"])
        return description

    def clean_attachments(self) -> list[UploadedFile]:
        return validate_attachments(self.cleaned_data["attachments"])


def validate_attachments(files: list[UploadedFile]) -> list[UploadedFile]:
    """Refuse too many files or any file past the size limit, naming each one."""
    if len(files) > MAX_ATTACHMENTS:
        raise forms.ValidationError(
            _("Attach at most %(count)d files."), params={"count": MAX_ATTACHMENTS}
        )
    limit = _attachment_limit()
    too_large = [f for f in files if f.size is not None and f.size > limit]
    if too_large:
        raise forms.ValidationError(
            [
                forms.ValidationError(
                    _("%(name)s is larger than %(limit)s."),
                    params={"name": f.name, "limit": filesizeformat(limit)},
                )
                for f in too_large
            ]
        )
    return files


def _attachment_limit() -> int:
    return int(settings.HELPDESK_MAX_ATTACHMENT_SIZE)
