from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from tickets.models import Contact, Organization


def _contact_by_email(email: str) -> Contact | None:
    # LOWER(email) = ... is what the unique functional index answers; iexact would scan.
    return Contact.objects.alias(email_lower=Lower("email")).filter(
        email_lower=email.lower()
    ).first()


def upsert_contact(*, email: str, name: str = "", phone: str = "") -> Contact:
    """Return the contact for this address (whatever its case), filling in blank details."""
    email = email.strip()
    contact = _contact_by_email(email)
    if contact is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent intake may win the insert
                return Contact.objects.create(email=email, name=name.strip(), phone=phone.strip())
        except IntegrityError:
            contact = _contact_by_email(email)
            assert contact is not None  # the row that beat us is committed and visible now
    changed = []
    if name.strip() and not contact.name:
        contact.name = name.strip()
        changed.append("name")
    if phone.strip() and not contact.phone:
        contact.phone = phone.strip()
        changed.append("phone")
    if changed:
        contact.save(update_fields=[*changed, "updated_at"])
    return contact


def match_organization(
    *, contact: Contact, external_id: str = "", name: str = ""
) -> Organization | None:
    """
    Return the requester's organisation: by external id (created when unknown and named),
    else the contact's own, else by the email domain.
    """
    if external_id:
        organization = Organization.objects.filter(external_id=external_id).first()
        if organization is None and name:
            organization, _ = Organization.objects.get_or_create(
                external_id=external_id, defaults={"name": name.strip()}
            )
        if organization is not None:
            _attach(contact, organization)
            return organization
    if contact.organization_id:
        return contact.organization
    domain = contact.email.rsplit("@", 1)[-1].lower()
    organization = Organization.objects.filter(email_domains__contains=[domain]).first()
    if organization is not None:
        _attach(contact, organization)
    return organization


def _attach(contact: Contact, organization: Organization) -> None:
    if contact.organization_id is None:
        contact.organization = organization
        contact.save(update_fields=["organization", "updated_at"])
