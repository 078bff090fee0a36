"""Markdown typed by staff (warning bodies, legal texts), rendered and sanitised once, when the
row is saved, into a stored HTML column: pages never render Markdown on a request.

nh3 keeps only the tags of the chosen profile: no scripts, no event handlers, no styles, and
links only to http(s), mailto and tel.
"""

import markdown
import nh3

# Rich text written on the portal (warnings): links allowed.
RICH_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
    "td", "abbr", "sup", "sub",
}  # fmt: skip
RICH_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Official texts as published (legal documents): structure only, no links or attributes.
DOCUMENT_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "hr", "sup", "sub",
}  # fmt: skip


def render_markdown(text):
    """Rich text: Markdown (with tables and lists) to sanitised HTML with safe links."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def render_document(text):
    """An official text: Markdown (with some HTML, as published) to structural HTML only.
    A level-1 heading becomes level 2: the page's own title is the only h1."""
    if not text:
        return ""
    html = markdown.markdown(text, output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(html, tags=DOCUMENT_TAGS, attributes={})
