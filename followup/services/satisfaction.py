"""Ratings from the survey links: stored once per ticket, changeable, low ones escalate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from followup.models import SatisfactionRating
from followup.notifying import notify_people
from followup.selectors import followup_settings
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.models import Ticket
from tickets.services.lifecycle import lock_ticket

LOW_RATING_KIND = "low_satisfaction"


@transaction.atomic
def record_rating(
    *, ticket: Ticket, score: int, comment: str | None = None, nps: int | None = None
) -> SatisfactionRating:
    """
    Store or change the requester's rating (1-5); a comment or NPS of None keeps the stored
    one. One SATISFACTION_RATED event per change; nothing is written when nothing changed.
    """
    ticket = lock_ticket(ticket)
    settings = followup_settings()
    rating = SatisfactionRating.objects.filter(ticket=ticket).first()
    before = _snapshot(rating)
    if rating is None:
        rating = SatisfactionRating(ticket=ticket, contact_id=ticket.requester_id, score=score,
                                    scale=settings.survey_scale)
    rating.score = score
    if comment is not None:
        rating.comment = comment
    if nps is not None:
        rating.nps = nps
    after = _snapshot(rating)
    if after == before:
        return rating
    rating.updated_at = timezone.now()
    rating.save()
    record_event(ticket=ticket, kind=EventKind.SATISFACTION_RATED, actor=None,
                 reason_code="changed" if before else "rated", before=before, after=after,
                 note=rating.comment)
    low = settings.low_rating_at_most
    if score <= low and (not before or before["score"] > low):
        _tell_team_lead(ticket, rating)
    return rating


def _snapshot(rating: SatisfactionRating | None) -> dict:
    if rating is None:
        return {}
    return {"score": rating.score, "scale": rating.scale, "nps": rating.nps,
            "comment": rating.comment}


def _tell_team_lead(ticket: Ticket, rating: SatisfactionRating) -> None:
    team = ticket.team
    lead = team.lead if team is not None else None
    recipients = [person for person in (lead or ticket.assignee,) if person is not None]
    notify_people(
        recipients=recipients,
        subject=f"Low satisfaction on {ticket.reference}: {rating.score}/5",
        body=(f"The customer rated {ticket.reference} \"{ticket.subject}\" {rating.score} of 5."
              + (f"\nTheir comment: {rating.comment}" if rating.comment else "")),
        ticket=ticket, kind=LOW_RATING_KIND, dedupe_key=f"followup:low-rating:{ticket.pk}",
    )
