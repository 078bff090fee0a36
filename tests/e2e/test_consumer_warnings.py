import json
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from consumer_warnings.models import ConsumerWarning, Subscription
from portal.models import Sector
from tests.consumer_warnings.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Thu hồi bình nóng lạnh Thử Nghiệm E2E lô 2026"


def test_officer_publishes_a_recall_with_a_photo(
    page, browser, live_server, ministry_officer, e2e_login, tmp_path
):
    appliances = Sector.objects.get(code="dien-may-gia-dung")
    subscriber = Subscription.objects.create(
        email="theodoi@example.vn", sector=appliances, status=Subscription.Status.ACTIVE
    )
    Subscription.objects.create(
        email="thucpham@example.vn",
        sector=Sector.objects.get(code="thuc-pham"),
        status=Subscription.Status.ACTIVE,
    )
    photo = tmp_path / "binh-nong-lanh.jpg"
    photo.write_bytes(jpeg_bytes((2400, 1600)))
    mail.outbox.clear()

    e2e_login(page, ministry_officer)
    page.goto("/canh-bao/quan-ly/")
    page.get_by_role("link", name=re.compile("Cảnh báo mới")).click()
    page.select_option("#id_kind", label="Thu hồi")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Rơ-le nhiệt có thể không ngắt, gây quá nhiệt.")
    page.fill("#id_body", "**Ngừng sử dụng** và liên hệ nhà sản xuất.")
    page.select_option("#id_sector", label=appliances.name)
    page.select_option("#id_hazard", label="Cháy nổ hoặc bỏng")
    page.select_option("#id_risk_level", label="Cao")
    page.get_by_label("Thu hồi từ người tiêu dùng").check()
    page.get_by_label("Sửa chữa").check()
    page.fill("#id_product_name", "Bình nóng lạnh Thử Nghiệm 30L")
    page.fill("#id_gtin", "4006381333931")
    page.fill("#id_business_name", "Công ty TNHH Thử Nghiệm (hư cấu)")
    page.fill("#id_defect", "Rơ-le nhiệt lỗi do linh kiện không đạt chuẩn.")
    page.fill("#id_risk_description", "Quá nhiệt, có thể gây bỏng.")
    page.fill("#id_identification", "Số lô TN-2026 in trên tem mặt sau.")
    page.fill("#id_recall_time_place", "Tại các cửa hàng bán lẻ từ 01/12/2026.")
    # A recall notice names the defect group and the remedy (Luật 19/2023 Điều 33 k4).
    page.select_option("#id_defect_group", value="A")
    page.fill("#id_remedy", "Thay rơ-le miễn phí trong 30 ngày tại trạm bảo hành.")
    page.fill("#id_contact", "Tổng đài 1800 0000 (hư cấu)")
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_photo_alt", "Bình nóng lạnh, mặt trước")
    page.get_by_role("button", name="Lưu nháp và xem trước").click()

    expect(page.locator("body")).to_contain_text("Bản xem trước của bản nháp")
    warning = ConsumerWarning.objects.get(title=TITLE)
    assert warning.status == "draft"
    assert warning.photos.count() == 1
    # Still a draft: not on the public list.
    anonymous = browser.new_context(locale="vi-VN", base_url=live_server.url)
    public = anonymous.new_page()
    public.goto("/canh-bao/")
    expect(public.locator("main")).not_to_contain_text(TITLE)
    assert public.request.get(f"/canh-bao/{warning.pk}/{warning.slug}/").status == 404

    page.get_by_role("button", name="Đăng ngay").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("body")).to_contain_text("Cảnh báo đã được đăng")

    public.goto("/canh-bao/")
    card = public.locator("article.warning-card", has_text=TITLE)
    expect(card).to_be_visible()
    expect(card.locator("img")).to_have_attribute("alt", "Bình nóng lạnh, mặt trước")
    image = public.request.get(card.locator("img").get_attribute("src"))
    assert image.status == 200
    assert image.headers["content-type"] == "image/jpeg"

    public.fill("#id_gtin_lookup", "4006381333931")
    public.get_by_role("button", name="Tra cứu").click()
    expect(public.locator("article.warning-card", has_text=TITLE)).to_be_visible()

    feed = public.request.get("/canh-bao/feed/?sector=dien-may-gia-dung")
    assert feed.status == 200
    assert TITLE in feed.text()
    rss = public.request.get("/canh-bao/feed/rss/")
    assert TITLE in rss.text()
    data = json.loads(public.request.get("/canh-bao/du-lieu.json").text())
    assert TITLE in [item["title"] for item in data["results"]]
    anonymous.close()

    assert [m.to for m in mail.outbox] == [[subscriber.email]]
    assert TITLE in mail.outbox[0].subject
    assert "/canh-bao/huy-dang-ky/" in mail.outbox[0].body


def test_consumer_subscribes_confirms_and_unsubscribes(page, live_server, reference_data):
    mail.outbox.clear()
    page.goto("/canh-bao/?sector=thuc-pham")
    page.get_by_role("link", name=re.compile("Nhận thư về các cảnh báo này")).click()
    expect(page.locator("#id_sector")).to_have_value("thuc-pham")
    page.fill("#id_email", "nguoidan@example.vn")
    page.get_by_role("button", name="Đăng ký").click()
    # Consent is required; what was typed is kept.
    expect(page.locator("#id_email")).to_have_value("nguoidan@example.vn")
    page.get_by_label(re.compile("Tôi đồng ý")).check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("h1")).to_have_text("Kiểm tra hộp thư của bạn")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    confirm = re.search(r"https?://\S+/dang-ky/xac-nhan/\S+/", body).group(0)
    unsubscribe = re.search(r"https?://\S+/huy-dang-ky/\S+/", body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", confirm))
    expect(page.locator("h1")).to_have_text("Đã xác nhận đăng ký")
    assert Subscription.objects.get().status == "active"
    page.goto(re.sub(r"^https?://[^/]+", "", unsubscribe))
    page.get_by_role("button", name="Hủy đăng ký").click()
    expect(page.locator("h1")).to_have_text("Đã hủy đăng ký")
    assert Subscription.objects.get().status == "unsubscribed"
