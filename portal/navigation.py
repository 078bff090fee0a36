"""The main navigation and the workspace shortcuts, per role. A part whose URL does not
exist yet is simply left out."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (URL name, label, icon, who sees it): "all", "officer", "complaints" (those who may read
# complaints: the authority, a province's officers, a consumer association), "business" or
# "user" (signed in).
MAIN_NAV = [
    ("complaints:file", _("File a complaint"), "bi-megaphone", "all"),
    ("complaints:track", _("Track a complaint"), "bi-search", "all"),
    ("consumer_warnings:index", _("Warnings"), "bi-exclamation-triangle", "all"),
    ("legaldocs:index", _("Legal library"), "bi-journal-text", "all"),
    ("businesses:index", _("Businesses"), "bi-building-check", "all"),
    ("selfassess:index", _("Self-assessment"), "bi-clipboard-check", "all"),
    ("complaints:stats", _("Statistics"), "bi-bar-chart", "all"),
    ("narratives:index", _("Published narratives"), "bi-chat-quote", "all"),
    ("reports:index", _("Reports"), "bi-file-earmark-bar-graph", "officer"),
]

SHORTCUTS = [
    ("complaints:staff_list", _("Handle complaints"), "bi-inboxes", "complaints"),
    ("selfassess:queue", _("Review self-assessments"), "bi-clipboard-check", "officer"),
    ("consumer_warnings:create", _("Draft a warning"), "bi-exclamation-triangle", "officer"),
    ("consumer_warnings:signals", _("Complaint signals"), "bi-graph-up-arrow", "officer"),
    ("narratives:manage", _("Narratives to review"), "bi-chat-quote", "officer"),
    ("reports:index", _("Annual reports"), "bi-file-earmark-bar-graph", "officer"),
    ("portal:membership_requests", _("Membership requests"), "bi-people", "officer"),
    ("admin:index", _("Back office"), "bi-gear", "officer"),
    (
        "complaints:business_inbox",
        _("Complaints addressed to my business"),
        "bi-envelope-exclamation",
        "business",
    ),
    ("selfassess:index", _("My self-assessments"), "bi-clipboard-check", "business"),
    ("complaints:mine", _("My complaints"), "bi-chat-left-text", "user"),
    ("complaints:file", _("File a complaint"), "bi-megaphone", "user"),
]


def _allowed(who, actor):
    if who == "officer":
        return actor.is_officer
    if who == "complaints":
        return actor.handles_complaints
    if who == "business":
        return actor.is_business_member
    if who == "user":
        return actor.is_authenticated
    return True


def _resolve(entries, actor):
    allowed = tuple(_allowed(who, actor) for *_entry, who in entries)
    # Every page's shell shows the navigation: its links are resolved once per language
    # and set of roles, not reversed again on each request.
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key = (entries is SHORTCUTS, allowed, get_language(), get_script_prefix(), urlconf)
    return list(_links(*key))


@lru_cache(maxsize=128)
def _links(shortcuts, allowed, _language, _prefix, _urlconf):
    items = []
    for (name, label, icon, _who), shown in zip(
        SHORTCUTS if shortcuts else MAIN_NAV, allowed, strict=True
    ):
        if not shown:
            continue
        try:
            items.append({"url": reverse(name), "label": label, "icon": icon, "name": name})
        except NoReverseMatch:
            continue
    return tuple(items)


def main_nav(actor):
    return _resolve(MAIN_NAV, actor)


def shortcuts(actor):
    return _resolve(SHORTCUTS, actor)
