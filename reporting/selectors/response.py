"""Response support: which macros agents use, and how often they edit one before sending."""

from __future__ import annotations

from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard
from tickets.models import ArticleUse, MacroUse


def macro_usage(scope: Scope) -> Table:
    """Per macro: replies that started from it, how many were edited, and the edit rate."""
    uses = Count("pk")
    edited = Count("pk", filter=Q(edited=True))
    rows = list(
        MacroUse.objects.filter(ticket_id__in=scope.rows.values("ticket_id"))
        .values(macro_name=Coalesce("macro__name", Value("(deleted macro)")))
        .annotate(uses=uses, edited_uses=edited,
                  edit_rate=Cast(edited, FloatField()) / NullIf(Cast(uses, FloatField()), 0.0))
        .order_by("-uses", "macro_name"))
    return Table("macros", "Macro usage and edits before sending",
                 [Column("macro_name", "Macro"), Column("uses", "Uses", "count"),
                  Column("edited_uses", "Edited", "count"),
                  Column("edit_rate", "Edited before sending", "share")],
                 rows, Chart("stacked", "macro_name", ("edited_uses", "uses")))


def article_usage(scope: Scope) -> Table:
    """Per help article: how often agents put it into a reply, as a link or as text."""
    rows = list(
        ArticleUse.objects.filter(ticket_id__in=scope.rows.values("ticket_id"))
        .values(article_title=F("article__title"))
        .annotate(uses=Count("pk"), as_link=Count("pk", filter=Q(mode="link")),
                  as_text=Count("pk", filter=Q(mode="text")))
        .order_by("-uses", "article_title")[:25])
    return Table("articles", "Help articles used in replies",
                 [Column("article_title", "Article"), Column("uses", "Uses", "count"),
                  Column("as_link", "As link", "count"), Column("as_text", "As text", "count")],
                 rows, Chart("stacked", "article_title", ("as_link", "as_text")))


@dashboard("response", "Response support", "Macro usage and edits, help articles in replies.")
def response_tables(scope: Scope) -> list[Table]:
    return [macro_usage(scope), article_usage(scope)]
