from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.utils import timezone

from tickets.models.accounts import Category
from tickets.models.base import TimeStampedModel
from tickets.models.messages import Message
from tickets.models.tickets import Ticket


class Macro(TimeStampedModel):
    """
    An admin-managed reply template. The body may use placeholders such as
    {{ requester.first_name }} and {{ ticket.reference }}; tickets.macros renders it with a
    restricted engine that only sees plain values, never model objects.
    """

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MacroUse(models.Model):
    """A reply that started from a macro, and whether the agent changed the text before sending."""

    macro = models.ForeignKey(Macro, null=True, on_delete=models.SET_NULL, related_name="uses")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["macro", "created_at"], name="macro_use_time")]

    def __str__(self) -> str:
        return f"macro {self.macro_id} on {self.ticket_id}"


class KnowledgeArticle(TimeStampedModel):
    """A help article (public) or runbook (internal); the body is Markdown, sanitised on display."""

    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown. Links may use http, https and mailto only.")
    category = models.ForeignKey(
        Category,
        to_field="slug",
        db_column="category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    internal = models.BooleanField(
        default=False,
        help_text="Internal runbooks are for agents only; never link them to customers.",
    )
    published = models.BooleanField(default=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["title"]
        indexes = [GinIndex(fields=["search_vector"], name="article_search")]

    def __str__(self) -> str:
        return self.title


class ArticleUse(models.Model):
    """An article suggestion that an agent put into a reply, as a link or as text."""

    class Mode(models.TextChoices):
        LINK = "link", "Link"
        TEXT = "text", "Text"

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["article", "created_at"], name="article_use_time")]

    def __str__(self) -> str:
        return f"article {self.article_id} on {self.ticket_id}"
