"""Who is told about SLA warnings and handoffs, in words a person can act on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from escalation.choices import Recipient
from escalation.notifications.services import escalation_line, notify
from tickets.choices import Role
from tickets.models import Team, TicketEvent


def notify_handoff_requested(*, event: TicketEvent) -> None:
    team_id = event.after.get("to_team", event.after.get("team"))
    team = Team.objects.select_related("lead").filter(pk=team_id).first()
    if team is None or team.lead is None:
        return
    ticket = event.ticket
    notify(recipients=[team.lead], kind="handoff_requested",
           subject=f"{ticket.reference} waits for {team.name} to accept it",
           body=escalation_line(ticket=ticket, headline="TRANSFER REQUEST")
           + (f"\nNote: {event.note}" if event.note else ""),
           ticket=ticket, dedupe_key=f"handoff-requested:{event.after.get('handoff')}")


def notify_handoff_rejected(*, event: TicketEvent) -> None:
    sender = get_user_model().objects.filter(pk=event.after.get("notify")).first()
    if sender is None:
        return
    ticket = event.ticket
    notify(recipients=[sender], kind="handoff_rejected",
           subject=f"{ticket.reference}: transfer rejected",
           body=escalation_line(ticket=ticket, headline="TRANSFER REJECTED")
           + f"\nReason: {event.note}",
           ticket=ticket, dedupe_key=f"handoff-rejected:{event.after.get('handoff')}")


def managers() -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True))


def recipients_for(
    roles: Iterable[str], *, assignee: Any, lead: Any, manager_list: list[Any]
) -> list[Any]:
    """Return the people a level names for one ticket, without anyone twice."""
    people: dict[int, Any] = {}
    for role in roles:
        chosen = {Recipient.ASSIGNEE: [assignee], Recipient.TEAM_LEAD: [lead],
                  Recipient.MANAGER: manager_list}.get(role, [])
        people.update((person.pk, person) for person in chosen if person is not None)
    return list(people.values())


def tell_warnings(*, warning_ids: list[int]) -> int:
    """
    Notify the people each fired warning names, then mark it told; return how many were told.
    Safe to run twice: notify() sends once per dedupe key, and told rows are skipped.
    """
    from django.utils import timezone

    from escalation.models import SlaWarning

    warnings = list(
        SlaWarning.objects.filter(pk__in=warning_ids, fired_at__isnull=False,
                                  notified_at__isnull=True)
        .select_related("level", "timer__ticket__assignee", "timer__ticket__team__lead",
                        "timer__ticket__organization", "timer__ticket__requester")
    )
    if not warnings:
        return 0
    manager_list = managers() if any(
        Recipient.MANAGER in w.level.recipients for w in warnings) else []
    for warning in warnings:
        _tell(warning, manager_list=manager_list)
    SlaWarning.objects.filter(pk__in=[w.pk for w in warnings]).update(notified_at=timezone.now())
    return len(warnings)


def _tell(warning: Any, *, manager_list: list[Any]) -> None:
    timer, level = warning.timer, warning.level
    ticket = timer.ticket
    team = ticket.team
    people = recipients_for(level.recipients, assignee=ticket.assignee,
                            lead=team.lead if team else None, manager_list=manager_list)
    metric = timer.get_metric_display().lower()
    if level.is_breach:
        kind, headline, subject = ("sla_breach", "SLA BREACHED",
                                   f"{ticket.reference} breached its {metric} target")
    else:
        kind, headline, subject = ("sla_warning", f"SLA {level.percent}%",
                                   f"{ticket.reference}: {level.percent}% of {metric} used")
    notify(recipients=people, subject=subject, kind=kind, ticket=ticket,
           body=escalation_line(ticket=ticket, headline=headline) + f"\nDue: {timer.due_at}",
           dedupe_key=f"sla-warning:{warning.pk}")


def tell_likely_breaches(*, timer_ids: list[int]) -> int:
    """
    Tell the team lead (or, without one, the assignee) that a clock will likely breach, then
    mark it told; return how many were told. Safe to run twice, like tell_warnings.
    """
    from django.utils import timezone

    from escalation.models import SlaTimer

    timers = list(
        SlaTimer.objects.filter(pk__in=timer_ids, predicted_breach_at__isnull=False)
        .select_related("ticket__assignee", "ticket__team__lead",
                        "ticket__organization", "ticket__requester")
    )
    for timer in timers:
        ticket = timer.ticket
        lead = ticket.team.lead if ticket.team else None
        notify(recipients=[person for person in (lead or ticket.assignee,) if person],
               kind="sla_likely_breach", ticket=ticket,
               subject=f"{ticket.reference} will likely miss its "
               f"{timer.get_metric_display().lower()} target",
               body=escalation_line(ticket=ticket, headline="LIKELY SLA BREACH")
               + f"\nDue: {timer.due_at}",
               dedupe_key=f"sla-likely:{timer.pk}:{timer.started_at.isoformat()}")
    SlaTimer.objects.filter(pk__in=[timer.pk for timer in timers]).update(
        predicted_told_at=timezone.now())
    return len(timers)
