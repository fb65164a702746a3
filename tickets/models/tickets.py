from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tickets.choices import UNSOLVED, Channel, Priority, Severity, TicketStatus
from tickets.models.accounts import Category, Contact, Organization, Team
from tickets.models.base import TimeStampedModel

REFERENCE_PREFIX = "HD"
# Sorted, so the partial indexes' predicate (and their migration) is stable.
_UNSOLVED = sorted(UNSOLVED)


class Ticket(TimeStampedModel):
    """A customer request, tracked from intake to closure; the description is kept verbatim."""

    subject = models.CharField(max_length=255)
    description = models.TextField()
    # ticket_created_desc (created_at, id) serves every read by creation time.
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.API)
    status = models.CharField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    category = models.ForeignKey(
        Category,
        to_field="slug",
        db_column="category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_area = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=16, blank=True)
    impact = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=255, blank=True)

    # The foreign keys below carry no index of their own: each leads a composite index in Meta
    # (queues, recent tickets), and every index is rewritten on each write of a busy table.
    requester = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        db_index=False,
    )
    created_by_key = models.ForeignKey(
        "tickets.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    follows_up = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    # An agent marks an open incident as the parent; triage links matching new tickets to it.
    is_parent_incident = models.BooleanField(default=False, db_default=False)
    parent_incident = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_incidents"
    )

    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When the status last changed: sweeps ask "pending for 48 hours?" without reading events.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Triage's score of the customer's words, -1 (angry) to 1; a fact every rule can read.
    sentiment = models.FloatField(null=True, blank=True)

    reassignments = models.PositiveIntegerField(default=0)
    reopens = models.PositiveIntegerField(default=0)
    customer_contacts = models.PositiveIntegerField(default=1)
    public_replies = models.PositiveIntegerField(default=0)

    search_vector = models.GeneratedField(
        expression=SearchVector("subject", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "sla_due_at"], name="ticket_status_due"),
            models.Index(fields=["team", "status", "sla_due_at"], name="ticket_team_queue"),
            models.Index(fields=["assignee", "status", "sla_due_at"], name="ticket_agent_queue"),
            # Priority and status filters, and both together in the API's newest-first order
            # (the ordering columns extend the old (priority, status) index rather than add one).
            models.Index(fields=["priority", "status", "-created_at", "-id"],
                         name="ticket_priority_recent"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_recent"),
            models.Index(fields=["organization", "-created_at"], name="ticket_org_recent"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created_desc"),
            models.Index(fields=["updated_at"], name="ticket_updated"),
            models.Index(fields=["created_by_key", "-created_at"], name="ticket_key_recent"),
            models.Index(fields=["status", "status_changed_at"], name="ticket_status_since"),
            # The manager digest: escalated tickets past due, and tickets bounced 3+ times.
            models.Index(fields=["sla_due_at"], condition=models.Q(escalated_at__isnull=False),
                         name="ticket_escalated_due"),
            models.Index(fields=["reassignments"], condition=models.Q(reassignments__gte=3),
                         name="ticket_bounced"),
            # API lists filtered by status (and priority) in their newest-first order.
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_recent"),
            models.Index(
                fields=["status"], condition=models.Q(is_parent_incident=True),
                name="ticket_parent_incidents",
            ),
            GinIndex(fields=["search_vector"], name="ticket_search"),
            GinIndex(fields=["tags"], name="ticket_tags"),
            # The agent queues (tickets.queues): open tickets in the queue order, so a page reads
            # its 25 rows and a capped count its first rows off the index instead of sorting
            # ~130,000; the unassigned queue per team; similar tickets among the newest open.
            models.Index(fields=["sla_due_at", "priority", "id"],
                         condition=Q(status__in=_UNSOLVED), name="ticket_open_due"),
            models.Index(fields=["team", "sla_due_at", "priority", "id"],
                         condition=Q(status__in=_UNSOLVED, assignee__isnull=True),
                         name="ticket_unassigned_due"),
            models.Index(fields=["id"], condition=Q(status__in=_UNSOLVED),
                         name="ticket_open_recent"),
            # Escalated stays set after a ticket is solved: the Escalated queue reads open ones.
            models.Index(fields=["sla_due_at", "priority", "id"],
                         condition=Q(status__in=_UNSOLVED, escalated_at__isnull=False),
                         name="ticket_open_escalated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_known"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=TicketStatus.CLOSED) | Q(closed_at__isnull=False),
                name="ticket_closed_has_closed_at",
            ),
        ]
        permissions = [
            ("view_all_tickets", "Can see every ticket, whatever its team"),
            ("assign_ticket", "Can assign tickets to agents and teams"),
            ("work_ticket", "Can reply, change status and fields of visible tickets"),
            ("escalate_ticket", "Can escalate tickets by hand"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}-{self.pk}"

    @property
    def etag(self) -> str:
        return f'"{self.pk}.{int(self.updated_at.timestamp() * 1_000_000)}"'
