import datetime

import pytest
from django.urls import reverse

from legaldocs import selectors
from legaldocs.filters import library_filters
from legaldocs.selectors import Sort, highlight, parse_query, search, snippet
from portal import pagination


def numbers(query, **kwargs):
    return [d.number for d in search(query, **kwargs).queryset]


def test_diacritics_and_case_do_not_matter(library):
    variants = [
        "bao ve quyen loi nguoi tieu dung",
        "BẢO VỆ QUYỀN LỢI",
        "bảo vệ quyền lợi",
        "bao ve quyen loi",
    ]
    results = [set(numbers(q)) for q in variants]
    assert results[0]
    assert "19/2023/QH15" in results[0]
    assert all(r == results[0] for r in results)


def test_d_with_stroke_and_tone_placement(library):
    assert set(numbers("Điều")) == set(numbers("dieu")) != set()
    assert set(numbers("hoà giải")) == set(numbers("hòa giải")) >= {"2306/QĐ-BCT"}
    assert set(numbers('"hoà giải"')) == set(numbers('"hòa giải"')) == {"2306/QĐ-BCT"}
    assert "03/2023/NĐ-CP" in numbers("uy ban canh tranh quoc gia")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("19/2023/QH15", ["19/2023/QH15"]),
        ("19/2023", ["19/2023/QH15"]),
        ("55/2024/nđ-cp", ["55/2024/NĐ-CP"]),
        ("55/2024/ND-CP", ["55/2024/NĐ-CP"]),
        (" 59 / 2010 / qh12 ", ["59/2010/QH12"]),
        ("30-CT/TW", ["30-CT/TW"]),
        ("1035/QĐ-TTg", ["1035/QĐ-TTg"]),
    ],
)
def test_number_lookup_is_exact(library, query, expected):
    result = search(query)
    assert result.mode == "number"
    assert [d.number for d in result.queryset] == expected


def test_number_prefix_does_not_match_a_longer_number(library):
    # "19/2023" must not find 19/2023X or 119/2023; only numbers starting "19/2023/".
    found = numbers("19/2023")
    assert "19/2025/QĐ-TTg" not in found


def test_phrase_in_quotes(library):
    loose = set(numbers("nguoi tieu dung bao ve"))
    phrase = set(numbers('"nguoi tieu dung bao ve"'))
    assert phrase < loose or not phrase
    assert set(numbers('"bảo vệ dữ liệu cá nhân"')) >= {"91/2025/QH15", "13/2023/NĐ-CP"}


def test_title_matches_rank_first(library):
    ranked = list(search('"hoa giai" nguoi tieu dung').queryset)
    # Only 2306's body mentions mediation; a title match is ranked above body matches.
    assert ranked[0].number == "2306/QĐ-BCT"
    results = list(search("bao ve quyen loi nguoi tieu dung").queryset)
    ranks = [r.rank for r in results]
    assert ranks == sorted(ranks, reverse=True)
    # The words as typed, together in a short title, come first: the law itself.
    assert [r.number for r in results[:2]] == ["19/2023/QH15", "59/2010/QH12"]
    assert ranks[0] == 3
    scattered = search("nguoi tieu dung bao ve").queryset
    assert {r.rank for r in scattered} <= {1, 2}


def test_filters_and_sorting(library):
    laws = numbers("", filters=library_filters({"type": "luat"}), sort=Sort.OLDEST)
    assert laws == ["59/2010/QH12", "35/2018/QH14", "19/2023/QH15", "91/2025/QH15"]
    assert numbers("", filters=library_filters({"type": "luat"}), sort=Sort.NEWEST) == laws[::-1]
    expired = numbers(
        "", filters=library_filters({"status": "expired"}), as_of=datetime.date(2025, 1, 1)
    )
    assert "59/2010/QH12" in expired and "19/2023/QH15" not in expired
    in_force_2020 = numbers(
        "", filters=library_filters({"status": "in_force"}), as_of=datetime.date(2020, 1, 1)
    )
    assert "59/2010/QH12" in in_force_2020
    years = library_filters({"year_from": "2025", "year_to": "2025"})
    recent = list(search("", filters=years).queryset)
    assert len(recent) >= 8 and {d.year for d in recent} == {2025}
    by_body = library_filters({"body": library["19/2023/QH15"].issuing_body.slug})
    bodies = {d.issuing_body.slug for d in search("", filters=by_body).queryset}
    assert bodies == {"quoc-hoi"}


def test_highlight_escapes_html_and_marks_matches():
    html = highlight("Luật <b>Bảo vệ</b> & quyền lợi", ["bao ve", "quyen"])
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "<mark>Bảo vệ</mark>" in html
    assert "<mark>quyền</mark>" in html
    assert "&amp;" in html


def test_snippet_drops_markup_of_the_full_text(library):
    result = search('"hoa giai"')
    document = selectors.decorate(list(result.queryset), result.parsed)[0]
    assert "**" not in document.snippet_html
    assert "<mark>hòa giải</mark>" in document.snippet_html


def test_snippet_centres_on_the_first_match():
    text = "mở đầu " * 100 + "tổ chức hòa giải tranh chấp " + "kết thúc " * 100
    html = snippet(text, ["hoa giai"])
    assert "<mark>hòa giải</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 400


def test_query_parsing_is_bounded():
    parsed = parse_query("x" * 5000)
    assert parsed.truncated and len(parsed.text) == selectors.MAX_QUERY_LENGTH
    assert parse_query("!!! ??? ...").is_empty
    assert parse_query('"bảo vệ" người').phrases == ["bao ve"]
    assert parse_query("19/2023").number == "19/2023"
    assert parse_query("luat bao ve").number == ""


def test_sql_fragment_is_only_text(library):
    from legaldocs.models import Document

    before = Document.objects.count()
    assert numbers("'; DROP TABLE legaldocs_document; --") == []
    assert Document.objects.count() == before


def test_tiered_results_page_across_title_and_body_matches(library, make_document):
    for i in range(3):
        make_document(title=f"Quy định số {i} về tổ chức hòa giải")
    body_only = [
        make_document(title=f"Văn bản khác {i}", summary="Có nói về hòa giải tranh chấp.")
        for i in range(4)
    ]
    result = search('"hoa giai"')
    rows = list(result.queryset)
    ranks = [r.rank for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert ranks.count(2) == 3
    assert {d.pk for d in body_only} <= {d.pk for d in rows}
    assert pagination.CappedPaginator(result.queryset, 20).count == len(rows) == 8
    # Pages that cross the boundary between the two tiers hold the right rows.
    paginator = pagination.CappedPaginator(result.queryset, 2)
    paged = [d.pk for n in paginator.page_range for d in paginator.page(n).object_list]
    assert paged == [d.pk for d in rows]


def test_count_is_capped_for_a_search(library, make_document, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    result = search("bao ve quyen loi")
    paginator = pagination.CappedPaginator(result.queryset, 2, cap=5)
    assert paginator.count == 5 and paginator.capped
    whole = pagination.CappedPaginator(search("").queryset, 2, cap=None)
    assert whole.count == len(library) and not whole.capped


def test_words_of_a_number_are_searchable_as_text(library):
    assert "19/2023/QH15" in numbers("luat 19 2023")
    assert "55/2024/NĐ-CP" in numbers("nghi dinh 55 2024")
    assert library["19/2023/QH15"].search_text.startswith("luat 19 2023 qh15 luat bao ve")


def test_long_question_falls_back_to_documents_with_most_words(library, client):
    # No document holds "xyzabc": the ones with most of the other words are shown.
    query = "Luật bảo vệ quyền lợi người tiêu dùng năm 2010 xyzabc"
    result = search(query)
    assert result.mode in ("relaxed", "similar")
    found = [d.number for d in result.queryset]
    assert "59/2010/QH12" in found[:3]
    assert search('"nêu trong nguồn xyzabc" luật').queryset.count() == 0  # phrases stay exact
    body = client.get("/van-ban/", {"q": query}).content.decode()
    assert "59/2010/QH12" in body
    assert search("xyzabc qwerty").queryset.count() == 0


def test_a_large_title_tier_is_counted_up_to_the_cap_and_ranked(
    db, make_document, client, monkeypatch
):
    """More title matches than the cap: the count stops at the cap and the first page is
    ranked within the newest of them (phrase as typed, then shorter titles, then newest);
    the oldest title match is left out of the ranking, as documented in ``search``."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)

    def make(title, day):
        return make_document(
            title=title, issue_date=datetime.date(2022, 1, day), effective_date=None
        )

    oldest_typed = make("Giải tranh chấp", 1)
    apart = make("Giải quyết tranh chấp thương mại", 2)
    long_typed = make("Quy định chi tiết về giải tranh chấp tại toà án", 3)
    short_typed = make("Về giải tranh chấp", 4)
    newest_apart = make("Hòa giải và tranh chấp", 5)
    make_document(
        title="Mới nhất", summary="Về giải tranh chấp.", issue_date=datetime.date(2022, 1, 6)
    )
    short_apart = make("Giải và tranh chấp", 7)

    result = search("giai tranh chap")
    paginator = pagination.CappedPaginator(result.queryset, 4, cap=pagination.COUNT_CAP)
    assert paginator.count == 4 and paginator.capped
    page = paginator.page(1).object_list
    # The newest five title matches; of those, the two with the words as typed first.
    assert [d.pk for d in page] == [short_typed.pk, long_typed.pk, short_apart.pk, newest_apart.pk]
    assert [d.rank for d in page] == [3, 3, 2, 2]
    assert oldest_typed.pk not in [d.pk for d in result.queryset[:5]]
    assert apart.pk in [d.pk for d in result.queryset[:5]]
    # The page as a user sees it.
    response = client.get(reverse("legaldocs:index"), {"q": "giai tranh chap"})
    assert [d.pk for d in response.context["page"].object_list] == [d.pk for d in page]
    assert response.context["page"].paginator.capped
