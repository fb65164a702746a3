"""Turn untrusted text into safe HTML: article Markdown and HTML mail, both cleaned with nh3."""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset({
    "a", "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def sanitise_html(html: str) -> SafeString:
    """Return the HTML with scripts, styles, event handlers and non-web links removed."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)


def render_markdown(text: str) -> SafeString:
    """Render Markdown to HTML, then sanitise it: raw HTML in the source never survives."""
    html = markdown.markdown(text, extensions=["tables", "fenced_code"], output_format="html")
    return sanitise_html(html)
