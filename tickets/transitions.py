from tickets.choices import TRANSITIONS, TicketStatus
from tickets.exceptions import InvalidTransition


def ensure_transition(current: str, target: str) -> None:
    """Raise InvalidTransition unless the lifecycle allows moving from current to target."""
    if target not in TRANSITIONS[TicketStatus(current)]:
        raise InvalidTransition(f"A ticket cannot go from {current} to {target}.")


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS[TicketStatus(current)]
