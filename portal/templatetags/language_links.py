from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language):
    """This page's address in ``language`` (its query string kept): the language switch of
    visitors who are not signed in is a plain link, so the page has no CSRF token and can be
    shared from the public cache (portal.public_cache)."""
    request = context.get("request")
    return translate_url(request.get_full_path() if request else "/", language)
