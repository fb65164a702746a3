"""
Writes of the agent workspace: replies with macros, page edits guarded by the ETag, bulk
actions and knowledge-article use. Each one composes the spine's services, so every change
still leaves its event.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tickets.exceptions import DomainError, StaleWrite
from tickets.macros import render_macro
from tickets.models import ArticleUse, KnowledgeArticle, Macro, MacroUse, Message, Team, Ticket
from tickets.services.assignment import UNCHANGED, assign_ticket
from tickets.services.lifecycle import change_status, lock_ticket
from tickets.services.messages import add_agent_message
from tickets.services.updates import update_ticket_fields

STALE_MESSAGE = (
    "Someone else changed this ticket after you opened it, so your change was not saved. "
    "The page now shows the latest version; check it, then save again."
)


def _check_fresh(ticket: Ticket, expected_etag: str) -> Ticket:
    """Return the ticket locked; raise StaleWrite when it changed since the agent read it."""
    locked = lock_ticket(ticket)
    if expected_etag != locked.etag:
        raise StaleWrite(STALE_MESSAGE)
    return locked


@transaction.atomic
def send_agent_reply(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    public: bool,
    expected_etag: str,
    macro: Macro | None = None,
    attachments: list[tuple[str, Any]] | None = None,
) -> Message:
    """
    Reply or add a note, refusing it when the ticket changed since the agent's page loaded;
    a macro-based reply records the macro and whether the text was edited.
    """
    locked = _check_fresh(ticket, expected_etag)
    message = add_agent_message(ticket=locked, author=author, body=body, public=public,
                                attachments=attachments)
    if macro is not None:
        rendered = render_macro(macro=macro, ticket=locked, agent=author)
        MacroUse.objects.create(
            macro=macro, ticket=locked, message=message, user=author,
            edited=_normalise(rendered) != _normalise(body),
        )
    return message


def _normalise(text: str) -> str:
    # Browsers turn line endings into CRLF and agents leave trailing blank lines.
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))


@dataclass(frozen=True)
class TicketChanges:
    """What the ticket page's form asks for; UNCHANGED-like None means "leave as is"."""

    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee: Any = UNCHANGED
    team: Team | object | None = UNCHANGED
    fields: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def apply_ticket_changes(
    *,
    ticket: Ticket,
    changes: TicketChanges,
    actor: AbstractBaseUser,
    reason: str,
    expected_etag: str,
) -> Ticket:
    """Apply the page's edits in one transaction, or none of them when the read was stale."""
    locked = _check_fresh(ticket, expected_etag)
    field_changes: dict[str, Any] = {}
    if changes.priority and changes.priority != locked.priority:
        field_changes["priority"] = changes.priority
    if changes.category is not None and (changes.category or None) != locked.category_id:
        field_changes["category"] = changes.category
    if field_changes:
        locked = update_ticket_fields(
            ticket=locked, changes=field_changes, actor=actor, reason=reason
        )
    if changes.assignee is not UNCHANGED or changes.team is not UNCHANGED:
        locked = assign_ticket(
            ticket=locked, agent=changes.assignee, team=changes.team,
            reason_code="manual", actor=actor, note=reason,
        )
    if changes.status and changes.status != locked.status:
        locked = change_status(ticket=locked, status=changes.status, actor=actor, reason=reason)
    return locked


@dataclass
class BulkOutcome:
    """How a bulk action went: the tickets changed and, per refused ticket, why."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    missing: int = 0


def apply_bulk_action(
    *,
    tickets: list[Ticket],
    requested: int,
    action: str,
    value: Any,
    actor: AbstractBaseUser,
    reason: str,
) -> BulkOutcome:
    """
    Run one action on each ticket through its service, each in its own transaction, so one
    refused ticket (say, an illegal transition) does not undo the others; every refusal is
    reported, never skipped silently.
    """
    outcome = BulkOutcome(missing=requested - len(tickets))
    for ticket in tickets:
        try:
            _bulk_one(ticket=ticket, action=action, value=value, actor=actor, reason=reason)
        except DomainError as error:
            outcome.refused.append((ticket.pk, error.detail))
        else:
            outcome.done.append(ticket.pk)
    return outcome


def _bulk_one(
    *, ticket: Ticket, action: str, value: Any, actor: AbstractBaseUser, reason: str
) -> None:
    if action == "assign_agent":
        assign_ticket(ticket=ticket, agent=value, reason_code="bulk", actor=actor, note=reason)
    elif action == "assign_team":
        assign_ticket(ticket=ticket, team=value, reason_code="bulk", actor=actor, note=reason)
    elif action == "status":
        change_status(ticket=ticket, status=value, actor=actor, reason=reason, reason_code="bulk")
    elif action == "priority":
        update_ticket_fields(ticket=ticket, changes={"priority": value}, actor=actor, reason=reason)
    elif action == "add_tag":
        _add_tag(ticket=ticket, tag=value, actor=actor, reason=reason)
    else:
        raise ValueError(f"Unknown bulk action {action!r}.")


@transaction.atomic
def _add_tag(*, ticket: Ticket, tag: str, actor: AbstractBaseUser, reason: str) -> None:
    # Read the tags under the lock, so two concurrent bulk tags both survive.
    locked = lock_ticket(ticket)
    update_ticket_fields(
        ticket=locked, changes={"tags": [*locked.tags, tag]}, actor=actor, reason=reason
    )


def record_article_use(
    *, article: KnowledgeArticle, ticket: Ticket, user: AbstractBaseUser, mode: str
) -> ArticleUse:
    """Record that the agent put a suggested article into a reply, as a link or as text."""
    return ArticleUse.objects.create(article=article, ticket=ticket, user=user, mode=mode)
