"""Who may do what with escalations: agents acknowledge; leads and managers de-escalate."""

from django.contrib.auth.models import AbstractBaseUser

from tickets.queues import is_lead_or_manager


def may_acknowledge(user: AbstractBaseUser) -> bool:
    return user.has_perm("tickets.work_ticket")  # type: ignore[attr-defined]


def may_de_escalate(user: AbstractBaseUser) -> bool:
    return is_lead_or_manager(user)


def may_see_dashboard(user: AbstractBaseUser) -> bool:
    return is_lead_or_manager(user)


def may_label(user: AbstractBaseUser) -> bool:
    """Judging whether an escalation was necessary is for leads and managers."""
    return is_lead_or_manager(user)
