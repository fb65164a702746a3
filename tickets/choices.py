"""Enumerations of the ticket spine; the values are the public API's (shared/API.md)."""

from collections.abc import Mapping
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    AWAITING_INFO = "awaiting_info", _("Awaiting info")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending (waiting on customer)")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


S = TicketStatus
TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    S.NEW: frozenset({S.AWAITING_INFO, S.OPEN, S.SOLVED, S.CLOSED}),
    S.AWAITING_INFO: frozenset({S.OPEN, S.SOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.PENDING, S.ON_HOLD, S.SOLVED}),
    S.PENDING: frozenset({S.OPEN, S.ON_HOLD, S.SOLVED, S.CLOSED}),
    S.ON_HOLD: frozenset({S.OPEN, S.PENDING, S.SOLVED}),
    S.SOLVED: frozenset({S.OPEN, S.CLOSED}),  # reopen, or close after the wait
    S.CLOSED: frozenset(),  # final: a later message opens a linked ticket
}
UNSOLVED: Final = frozenset({S.NEW, S.AWAITING_INFO, S.OPEN, S.PENDING, S.ON_HOLD})


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 medium")
    P4 = "P4", _("P4 low")


class Severity(models.TextChoices):
    INFORMATIONAL = "informational", _("Informational")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB_FORM = "web_form", _("Web form")
    API = "api", _("API")
    CHAT = "chat", _("Chat")
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    INTERNAL = "internal", _("Internal")


class Tier(models.TextChoices):
    SELF_SERVE = "self_serve", _("Self-serve")
    SMB = "smb", _("SMB")
    ENTERPRISE = "enterprise", _("Enterprise")
    INTERNAL = "internal", _("Internal")


class Impact(models.TextChoices):
    OUTAGE = "outage", _("Outage")
    BILLING = "billing", _("Billing")
    BLOCKED_WORKFLOW = "blocked_workflow", _("Blocked workflow")
    SECURITY = "security", _("Security")
    DATA_LOSS = "data_loss", _("Data loss")
    LEGAL = "legal", _("Legal")


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")
    SYSTEM = "system", _("System message")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REOPENED = "reopened", _("Reopened")
    ASSIGNED = "assigned", _("Assigned")
    FIELDS_CHANGED = "fields_changed", _("Fields changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    AGENT_REPLIED = "agent_replied", _("Agent replied")
    NOTE_ADDED = "note_added", _("Internal note added")
    ESCALATED = "escalated", _("Escalated")
    EMAIL_SENT = "email_sent", _("Email sent")
    EMAIL_IGNORED = "email_ignored", _("Automated email ignored")
    HANDOFF_REQUESTED = "handoff_requested", _("Handoff requested")
    HANDOFF_ACCEPTED = "handoff_accepted", _("Handoff accepted")
    HANDOFF_REJECTED = "handoff_rejected", _("Handoff rejected")
    HANDOFF_TRANSFERRED = "handoff_transferred", _("Transferred to another team")
    # SLA clocks (escalation app): the timeline shows why a ticket breached.
    SLA_APPLIED = "sla_applied", _("SLA policy applied")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    SLA_PREDICTED_BREACH = "sla_predicted_breach", _("SLA likely to breach")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("Escalation acknowledged")
    # Follow-up (followup app).
    FOLLOWUP_SCHEDULED = "followup_scheduled", _("Follow-up scheduled")
    FOLLOWUP_SENT = "followup_sent", _("Follow-up sent")
    FOLLOWUP_CANCELLED = "followup_cancelled", _("Follow-up cancelled")
    CHECKIN_CREATED = "checkin_created", _("Check-in created")
    CHECKIN_DONE = "checkin_done", _("Check-in done")
    SATISFACTION_RATED = "satisfaction_rated", _("Satisfaction rated")
    # Triage: a ticket joined an open parent incident.
    INCIDENT_LINKED = "incident_linked", _("Linked to parent incident")


class ApiScope(models.TextChoices):
    INTAKE = "intake", _("Create tickets and read the tickets it created")
    INBOUND = "inbound", _("Post raw inbound email")
    READ = "read", _("Read tickets")
    AGENT = "agent", _("Work tickets as its agent")


class Role(models.TextChoices):
    """Roles are Django groups of these names; seeded by a data migration."""

    AGENT = "Agent", _("Agent")
    TEAM_LEAD = "Team lead", _("Team lead")
    MANAGER = "Manager", _("Manager")
    ADMIN = "Admin", _("Admin")


SEEDED_CATEGORIES: Final = (
    ("billing", "Billing"),
    ("bug_report", "Bug report"),
    ("feature_request", "Feature request"),
    ("account_access", "Account access"),
    ("onboarding", "Onboarding"),
    ("service_outage", "Service outage"),
    ("refund_request", "Refund request"),
    ("general", "General"),
)
