"""The shell's filters for valid, well-labelled HTML (issue #16): ``html_datetime`` gives a
``<time datetime>`` the HTML checker accepts (no microseconds), ``in_vietnamese`` marks
Vietnamese content ``lang="vi"`` on pages in another language."""

import datetime
import re

from django.template import Context, Template
from django.utils import timezone, translation

from portal.templatetags.portal_tags import html_datetime

# HTML's "valid global date and time string" with at most three fraction digits.
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$")


def render(source, **context):
    return Template("{% load portal_tags %}" + source).render(Context(context))


def test_html_datetime_is_local_time_to_the_second_with_its_offset():
    instant = datetime.datetime(2027, 3, 10, 2, 30, 0, 389823, tzinfo=datetime.UTC)
    value = html_datetime(instant)
    assert value == "2027-03-10T09:30:00+07:00"
    assert VALID.match(value)
    # What |date:'c' gives is what the checker refused.
    assert not VALID.match(render("{{ t|date:'c' }}", t=timezone.localtime(instant)))
    assert html_datetime(datetime.date(2027, 3, 10)) == "2027-03-10"
    assert html_datetime(None) == ""


def test_vietnamese_content_is_marked_only_on_pages_in_another_language():
    name = "Công ty <Bình An>"
    with translation.override("en"):
        assert render("{{ n|in_vietnamese }}", n=name) == (
            '<span lang="vi">Công ty &lt;Bình An&gt;</span>'
        )
    with translation.override("vi"):
        assert render("{{ n|in_vietnamese }}", n=name) == "Công ty &lt;Bình An&gt;"
