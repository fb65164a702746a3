"""The follow-up emails' subjects and bodies, from templates under templates/followup/email/."""

from __future__ import annotations

from django.template.loader import render_to_string

from followup.choices import SurveyScale
from followup.links import survey_urls
from followup.models import FollowupSettings, ResolutionSummary
from tickets.models import Ticket

GOOD, BAD = 5, 1


def thread_subject(ticket: Ticket) -> str:
    return f"Re: [{ticket.reference}] {ticket.subject}"


def reminder_body(*, ticket: Ticket, text: str) -> str:
    return render_to_string("followup/email/reminder.txt", {"ticket": ticket, "text": text})


def resolution_body(*, ticket: Ticket, summary: ResolutionSummary | None) -> str:
    blank = summary is None or summary.is_blank
    return render_to_string("followup/email/resolution.txt",
                            {"ticket": ticket, "summary": None if blank else summary})


def survey_scores(scale: str) -> list[int]:
    return [GOOD, BAD] if scale == SurveyScale.GOOD_BAD else [5, 4, 3, 2, 1]


def survey_body(*, ticket: Ticket, settings: FollowupSettings) -> str:
    urls = survey_urls(ticket, survey_scores(settings.survey_scale))
    return render_to_string("followup/email/survey.txt", {
        "ticket": ticket, "urls": urls, "good_bad": settings.survey_scale == SurveyScale.GOOD_BAD,
        "days": settings.survey_link_days,
    })
