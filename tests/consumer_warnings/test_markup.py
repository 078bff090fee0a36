from portal.markup import render_markdown


def test_markdown_is_rendered():
    html = render_markdown("**Ngừng sử dụng** ngay\n\n- lô 01\n- lô 02")
    assert "<strong>Ngừng sử dụng</strong>" in html
    assert "<li>lô 01</li>" in html


def test_scripts_and_javascript_links_are_removed():
    html = render_markdown(
        "<script>alert('x')</script>\n\n[bấm](javascript:alert(1)) "
        '<a href="JaVaScRiPt:alert(2)">b</a> <img src=x onerror=alert(3)> '
        '<p onclick="alert(4)">c</p> [ok](https://moit.gov.vn)'
    )
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "onerror" not in lowered
    assert "onclick" not in lowered
    assert "<img" not in lowered
    assert 'href="https://moit.gov.vn"' in html


def test_empty_body():
    assert render_markdown("") == ""
