"""Walking the public filing form with Django's test client."""

from portal.models import Province, Sector

STEP_URL = "/khieu-nai/gui/{}/"


def step_data(business=None):
    province = business.province if business else Province.objects.get(code="01")
    sector = Sector.objects.get(code="thuong-mai-dien-tu")
    return {
        "nguoi-gui": {
            "complainant_name": "Trần Thị Lan",
            "complainant_phone": "0987 654 321",
            "complainant_email": "lan.tran@example.vn",
        },
        "doanh-nghiep": {
            "business_id": business.pk if business else "",
            "business_name": business.name if business else "Shop Mỹ Phẩm Online Hằng Nga",
            "business_tax_code": "",
            "business_website": "https://facebook.com/shop-hang-nga",
            "province": province.pk,
        },
        "noi-dung": {
            "sector": sector.pk,
            "description": "Đặt mua kem dưỡng, nhận hàng giả.",
            "transaction_date": "2026-01-10",
            "amount": "450000",
        },
        "yeu-cau": {"request": "Hoàn tiền 450.000 đồng."},
    }


def fill_until_files(client, business=None, overrides=None):
    data = step_data(business)
    for slug, values in (overrides or {}).items():
        data[slug].update(values)
    for slug in ("nguoi-gui", "doanh-nghiep", "noi-dung", "yeu-cau"):
        response = client.post(STEP_URL.format(slug), {**data[slug], "go": "next"})
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return data


def file_via_wizard(client, business=None, files=None):
    fill_until_files(client, business)
    response = client.post(STEP_URL.format("tep"), {"files": files or [], "go": "next"})
    assert response.status_code == 302
    return client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
