"""Say a routing decision in plain sentences, for the ticket page, the API and the preview."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from routing.candidates import Candidate
from routing.choices import Fallback, ReasonCode, Strategy
from routing.planning import Plan

_STRATEGY_CODES = {
    Strategy.ROUND_ROBIN: ReasonCode.ROUND_ROBIN,
    Strategy.LEAST_LOADED: ReasonCode.LEAST_LOADED,
    Strategy.MOST_SKILLED: ReasonCode.MOST_SKILLED,
    Strategy.TEAM_QUEUE: ReasonCode.TEAM_QUEUE,
}
_FALLBACK_CODES = {
    Fallback.BACKUP_TEAM: ReasonCode.BACKUP_TEAM,
    Fallback.ON_CALL: ReasonCode.ON_CALL,
    Fallback.AFTER_HOURS: ReasonCode.AFTER_HOURS,
    Fallback.AT_CAPACITY: ReasonCode.AT_CAPACITY,
    Fallback.NO_AGENT: ReasonCode.NO_AGENT,
}


def reason_code(plan: Plan) -> str:
    """Return the reason code of the ASSIGNED event this plan leads to."""
    return _FALLBACK_CODES.get(plan.fallback) or _STRATEGY_CODES.get(plan.strategy, "routed")


def _rule_sentence(plan: Plan) -> str:
    if plan.rule is None:
        return "No routing rule matched."
    because = f" ({'; '.join(plan.rule_reasons)})" if plan.rule_reasons else ""
    return f"Rule \u201c{plan.rule.name}\u201d matched{because}: {plan.rule.explanation}"


def _local(moment: datetime, zone: str) -> str:
    try:
        return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M %Z")
    except (KeyError, ValueError):
        return moment.isoformat()


def _chosen_sentence(plan: Plan, chosen: Candidate) -> str:
    team = plan.team.name if plan.team else "the team"
    eligible = plan.candidates.eligible_count()
    skill = f", skill score {chosen.skill_score}" if plan.need.skills else ""
    lead = ""
    if plan.fallback == Fallback.BACKUP_TEAM and plan.first_team is not None:
        lead = f"No agent of {plan.first_team.name} was eligible, so backup team {team} took it. "
    return (
        f"{lead}{Strategy(plan.strategy).label} chose {chosen.name} of {team} "
        f"({chosen.load}/{chosen.capacity} open{skill}), one of {eligible} eligible "
        f"among {len(plan.candidates)} considered."
    )


def _fallback_sentence(plan: Plan) -> str:
    team = plan.team.name if plan.team else ""
    if plan.team is None:
        return "No team catches unmatched tickets, so the ticket waits without an owner."
    if plan.strategy == Strategy.TEAM_QUEUE:
        return f"Queued on {team}: its agents take tickets from the team queue."
    if plan.fallback == Fallback.ON_CALL and plan.on_call is not None:
        name = plan.on_call.get_full_name() or plan.on_call.get_username()
        return f"{team} is closed and the ticket is P1, so it went to {name}, on call."
    if plan.fallback == Fallback.AFTER_HOURS:
        opens = (f" until it opens {_local(plan.queued_until, plan.team.time_zone)}"
                 if plan.queued_until else "")
        return f"{team} is closed; the ticket is queued on the team{opens}."
    if plan.fallback == Fallback.AT_CAPACITY:
        return f"Every eligible agent of {team} is at capacity; the ticket is queued on the team."
    return f"No agent of {team} is eligible now; the ticket is queued on the team."


def explain_plan(plan: Plan, chosen: Candidate | None) -> str:
    """Return the rule sentence and the outcome sentence."""
    outcome = _chosen_sentence(plan, chosen) if chosen else _fallback_sentence(plan)
    return f"{_rule_sentence(plan)} {outcome}"
