"""Atom 1.0 and RSS 2.0 feeds of published warnings, for all of them or for any filter
(the same query string as the public list)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import selectors
from .filters import parse_filters


class WarningFeed(Feed):
    feed_type = Atom1Feed

    def author_name(self):
        return _("National Competition Commission – Ministry of Industry and Trade")

    def get_object(self, request, *args, **kwargs):
        return parse_filters(request.GET)

    def title(self, obj):
        described = obj.describe()
        base = _("Warnings and recalls")
        return f"{base} · {described}" if described else base

    def link(self, obj):
        return _with_query(reverse("consumer_warnings:index"), obj)

    def description(self, obj):
        text = _("Warnings about unsafe products, services and business practices, and recalls.")
        if obj.ignored:
            text = " ".join([text, *obj.ignored])
        return text

    subtitle = description

    def feed_url(self, obj):
        return _with_query(reverse(self.url_name), obj)

    url_name = "consumer_warnings:feed_atom"

    def items(self, obj):
        return selectors.feed_warnings(obj)

    def item_title(self, item):
        return f"[{item.get_kind_display()}] {item.title}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"tag:dnvntd,{item.published_at:%Y-%m-%d}:canh-bao/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at

    def item_categories(self, item):
        return [str(item.get_kind_display()), item.sector.name]

    def item_author_name(self, item):
        return item.source_agency or self.author_name()


class WarningRssFeed(WarningFeed):
    feed_type = Rss201rev2Feed
    url_name = "consumer_warnings:feed_rss"


def _with_query(url, warning_filter):
    query = warning_filter.query_string()
    return f"{url}?{query}" if query else url
