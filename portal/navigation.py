"""The main navigation. A part whose URL does not exist yet is simply left out."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

MAIN_NAV = [
    ("complaints:file", _("File a complaint"), "bi-megaphone"),
    ("complaints:track", _("Track a complaint"), "bi-search"),
    ("consumer_warnings:index", _("Warnings"), "bi-exclamation-triangle"),
    ("legaldocs:index", _("Legal library"), "bi-journal-text"),
    ("businesses:index", _("Businesses"), "bi-building-check"),
    ("selfassess:index", _("Self-assessment"), "bi-clipboard-check"),
    ("complaints:stats", _("Statistics"), "bi-bar-chart"),
    ("reports:index", _("Reports"), "bi-file-earmark-bar-graph"),
]


def _resolve(entries):
    items = []
    for name, label, icon in entries:
        try:
            items.append({"url": reverse(name), "label": label, "icon": icon, "name": name})
        except NoReverseMatch:
            continue
    return items


def main_nav():
    return _resolve(MAIN_NAV)
