"""A business member fills the retail set over two sittings, uploads evidence and submits;
the province officer asks for a change; the member fixes it; the officer verifies; the
business appears in the public list."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from selfassess.models import Assessment, CriteriaSet

pytestmark = pytest.mark.django_db(transaction=True)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def answer_for(criterion):
    return {"screening": "pass", "plan_evidence": "implemented"}.get(criterion.kind, "yes")


def autosave_click(page, selector):
    page.wait_for_selector("form[data-autosave-ready]", state="attached")
    with page.expect_response(lambda r: "/luu/" in r.url and r.status == 200):
        page.click(selector)


def new_page(browser, live_server):
    context = browser.new_context(locale="vi-VN", base_url=live_server.url, viewport=None)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_retail_assessment_from_filling_to_public_list(
    browser, live_server, page, business_member, province_officer, e2e_login
):
    call_command("seed_selfassess", verbosity=0)
    retail = CriteriaSet.objects.get(code="dnvntd-ban-le")
    groups = [g for g in retail.groups.order_by("order") if g.criteria.exists()]
    criteria = {c.code: c for c in retail.criteria.all()}

    # First sitting: start, answer the screening page and one more answer, then close.
    e2e_login(page, business_member)
    page.goto("/tu-danh-gia/")
    page.select_option("#id_criteria_set", str(retail.pk))
    page.get_by_role("button", name="Bắt đầu", exact=True).click()
    expect(page.locator("h2")).to_contain_text("Tiêu chí sàng lọc")
    for code in ("1.1", "1.2"):
        autosave_click(page, f"#answer_{criteria[code].pk}_pass")
    expect(page.locator("[data-progress-bar]")).to_have_text(re.compile(r"12%"))
    page.click(f"a.nav-link:has-text('{groups[1].title[:30]}')")
    autosave_click(page, f"#answer_{criteria['2.1'].pk}_yes")
    page.fill(f"#note_{criteria['2.1'].pk}", "Tuyên bố niêm yết tại cửa hàng")
    with page.expect_response(lambda r: "/luu/" in r.url):
        page.locator(f"#note_{criteria['2.1'].pk}").blur()
    page.context.close()

    # Second sitting: everything typed before is there; finish, with evidence.
    context, page = new_page(browser, live_server)
    e2e_login(page, business_member)
    assessment = Assessment.objects.get()
    page.goto(f"/tu-danh-gia/{assessment.pk}/")
    page.get_by_role("link", name="Tiếp tục điền").click()
    expect(page.locator(f"#answer_{criteria['1.1'].pk}_pass")).to_be_checked()
    page.goto(f"/tu-danh-gia/{assessment.pk}/nhom/{groups[1].pk}/")
    expect(page.locator(f"#answer_{criteria['2.1'].pk}_yes")).to_be_checked()
    expect(page.locator(f"#note_{criteria['2.1'].pk}")).to_have_value(
        "Tuyên bố niêm yết tại cửa hàng"
    )
    for group in groups[1:]:
        page.goto(f"/tu-danh-gia/{assessment.pk}/nhom/{group.pk}/")
        for criterion in group.criteria.order_by("order"):
            value = "no" if criterion.code == "9.1" else answer_for(criterion)
            page.check(f"#answer_{criterion.pk}_{value}")
            if criterion.evidence_required:
                page.set_input_files(
                    f"#evidence_{criterion.pk}",
                    files=[
                        {
                            "name": f"minh-chung-{criterion.code}.pdf",
                            "mimeType": "application/pdf",
                            "buffer": PDF,
                        }
                    ],
                )
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu câu trả lời")
    page.goto(f"/tu-danh-gia/{assessment.pk}/nhom/{criteria['7.2'].group_id}/")
    expect(page.locator("a:has-text('minh-chung-7.2.pdf')")).to_be_visible()
    page.goto(f"/tu-danh-gia/{assessment.pk}/nop/")
    page.get_by_role("button", name="Nộp để thẩm định").click()
    expect(page.locator(".alert-success")).to_contain_text("Bản tự đánh giá đã được nộp")
    context.close()

    # The province officer asks for a change on criterion 9.1. The officer's browser stays
    # open for the verification below: a TOTP code cannot be used twice in one time step.
    officer_context, page = new_page(browser, live_server)
    officer = page
    e2e_login(page, province_officer)
    page.goto("/tu-danh-gia/tham-dinh/")
    page.get_by_role("link", name=business_member.memberships.get().business.name).click()
    page.fill(f"#comment_{criteria['9.1'].pk}", "Đề nghị bố trí bộ phận chăm sóc khách hàng")
    page.check("input[name=decision][value=changes]")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận quyết định")

    # The member sees the comment, fixes the answer and submits again.
    context, page = new_page(browser, live_server)
    e2e_login(page, business_member)
    page.goto(f"/tu-danh-gia/{assessment.pk}/nhom/{criteria['9.1'].group_id}/")
    expect(page.locator(f"#criterion-{criteria['9.1'].pk}")).to_contain_text(
        "Đề nghị bố trí bộ phận chăm sóc khách hàng"
    )
    autosave_click(page, f"#answer_{criteria['9.1'].pk}_yes")
    page.goto(f"/tu-danh-gia/{assessment.pk}/nop/")
    page.get_by_role("button", name="Nộp để thẩm định").click()
    expect(page.locator(".alert-success")).to_contain_text("Bản tự đánh giá đã được nộp")
    context.close()

    # The officer verifies.
    page = officer
    page.goto(f"/tu-danh-gia/{assessment.pk}/tham-dinh/")
    page.check("input[name=decision][value=verify]")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận quyết định")
    assert Assessment.objects.get().is_public
    officer_context.close()

    # Anyone finds the business in the public list, searching without diacritics.
    context, page = new_page(browser, live_server)
    page.goto("/doanh-nghiep/")
    page.fill("#id_q", "binh an ha noi")
    page.get_by_role("button", name="Tìm kiếm").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Công ty Cổ phần Bình An Hà Nội")
    expect(row).to_contain_text("0101000013")
    expect(page.locator("body")).not_to_contain_text("Tuyên bố niêm yết tại cửa hàng")
    context.close()


def test_two_tabs_saving_the_same_answer_last_write_wins(
    page, business, business_member, e2e_login
):
    from selfassess import services
    from selfassess.models import Answer

    call_command("seed_selfassess", verbosity=0)
    retail = CriteriaSet.objects.get(code="dnvntd-ban-le")
    assessment = services.start_assessment(
        user=business_member, business=business, criteria_set=retail
    )
    criterion = retail.criteria.get(code="9.1")
    url = f"/tu-danh-gia/{assessment.pk}/nhom/{criterion.group_id}/"
    e2e_login(page, business_member)
    first = page
    second = page.context.new_page()
    first.goto(url)
    second.goto(url)
    autosave_click(first, f"#answer_{criterion.pk}_yes")
    autosave_click(second, f"#answer_{criterion.pk}_no")
    answers = Answer.objects.filter(assessment=assessment, criterion=criterion)
    assert [a.value for a in answers] == ["no"]
    # The first tab, reloaded, shows the later answer.
    first.reload()
    expect(first.locator(f"#answer_{criterion.pk}_no")).to_be_checked()
