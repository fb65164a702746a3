"""Macros and knowledge articles on the ticket page, and the article pages themselves."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tickets.macros import render_macro
from tickets.models import ArticleUse, KnowledgeArticle, Macro
from tickets.services.workspace import record_article_use
from tickets.views.ticket_page import visible_ticket


@require_GET
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def macro_preview(request: HttpRequest, ticket_id: int, macro_id: int) -> HttpResponse:
    """Return the macro's text for this ticket, for the reply box; plain text, never HTML."""
    ticket = visible_ticket(request, ticket_id)
    macro = get_object_or_404(Macro, pk=macro_id, active=True)
    text = render_macro(macro=macro, ticket=ticket, agent=request.user)  # type: ignore[arg-type]
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def article_public_url(article: KnowledgeArticle) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tickets:help-article", args=[article.pk])


@require_POST
@login_required
@permission_required("tickets.work_ticket", raise_exception=True)
def article_use(request: HttpRequest, ticket_id: int, article_id: int) -> HttpResponse:
    """Record that the agent used a suggestion; return the link or text to insert."""
    ticket = visible_ticket(request, ticket_id)
    article = get_object_or_404(KnowledgeArticle, pk=article_id, published=True)
    mode = request.POST.get("mode", "")
    if mode not in ArticleUse.Mode.values or (mode == "link" and article.internal):
        raise Http404  # internal runbooks have no public address to send a customer
    record_article_use(article=article, ticket=ticket, user=request.user, mode=mode)  # type: ignore[arg-type]
    text = f"{article.title}: {article_public_url(article)}" if mode == "link" else article.body
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
@permission_required("tickets.view_ticket", raise_exception=True)
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    """Show an article or runbook to agents, its Markdown rendered and sanitised."""
    article = get_object_or_404(KnowledgeArticle, pk=article_id, published=True)
    return render(request, "tickets/agent/article.html", {"article": article})


@require_GET
def help_article(request: HttpRequest, article_id: int) -> HttpResponse:
    """Show a public help article to anyone; internal runbooks do not exist here."""
    article = get_object_or_404(KnowledgeArticle, pk=article_id, published=True, internal=False)
    return render(request, "tickets/public/article.html", {"article": article})
