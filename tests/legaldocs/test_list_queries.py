"""The library's list, search and filters at national scale (issue #13): a fixed number of
queries at N and 3N documents, and no count of every document."""

import pytest
from django.urls import reverse

from tests.query_counts import assert_constant, unbounded_counts

pytestmark = pytest.mark.django_db

INDEX = reverse("legaldocs:index")


@pytest.fixture
def add_documents(make_document, legal_field):
    """``add(n)``: n documents on consumer protection, each in a field of law."""

    def add(n):
        for _i in range(n):
            make_document(
                title="Quy định về bảo vệ quyền lợi người tiêu dùng thử nghiệm",
                field=legal_field,
            )

    return add


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "bao ve quyen loi"},
        {"type": "nghi-dinh", "year_from": "2020"},
        {"q": "bao ve quyen loi", "status": "in_force", "sort": "newest"},
    ],
    ids=["browse", "search", "filter", "search-and-filters"],
)
def test_library_queries_do_not_grow(client, add_documents, params):
    assert_constant(client, INDEX, params, add_documents)


def test_filtering_counts_only_up_to_the_cap(client, add_documents):
    params = {"type": "nghi-dinh", "year_from": "2020"}
    many = assert_constant(client, INDEX, params, add_documents)
    assert not unbounded_counts(many), many


def test_a_search_counts_only_up_to_the_cap(client, add_documents):
    many = assert_constant(client, INDEX, {"q": "bao ve quyen loi"}, add_documents)
    assert not unbounded_counts(many), many


def test_browsing_the_library_counts_only_up_to_the_cap(client, add_documents):
    many = assert_constant(client, INDEX, {}, add_documents)
    assert not unbounded_counts(many), many


def test_browsing_past_the_cap_says_more_than(client, add_documents, monkeypatch):
    from django.utils import translation

    from portal import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    add_documents(3)
    with translation.override("en"):
        english = reverse("legaldocs:index")
    page = client.get(english).content.decode()
    assert "More than 2 documents in the library." in page
    search = client.get(english, {"q": "bao ve quyen loi"}).content.decode()
    assert "More than 2 documents found." in search
    assert "Hơn 2 văn bản trong thư viện." in client.get(INDEX).content.decode()
