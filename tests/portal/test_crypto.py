"""portal/crypto.py: the encrypted field's primitives, and the production profile's refusal
to start without its keys."""

import pytest
from cryptography.fernet import Fernet
from django.test.utils import override_settings

from portal import crypto
from portal import settings as portal_settings
from tests.portal.test_settings import PROD, run


def test_a_value_is_a_new_token_each_time_and_reads_back():
    first, second = crypto.encrypt("0912345678"), crypto.encrypt("0912345678")
    assert first != second and "0912345678" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "0912345678"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_a_token_under_an_unknown_key_gives_a_clear_error():
    token = crypto.encrypt("hoa@example.vn")
    with (
        override_settings(PERSONAL_DATA_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(crypto.UnreadablePersonalData, match="PERSONAL_DATA_KEYS"),
    ):
        crypto.decrypt(token)


def test_hashes_compare_normalised_values_under_the_hash_key():
    assert crypto.phone_hash("0912 345 678") == crypto.phone_hash("+84912345678")
    assert crypto.email_hash(" Hoa@Example.VN") == crypto.email_hash("hoa@example.vn")
    assert crypto.phone_hash("") == crypto.email_hash("no e-mail") == ""
    with override_settings(PERSONAL_DATA_HASH_KEY=Fernet.generate_key().decode()):
        other = crypto.phone_hash("0912345678")
    assert other != crypto.phone_hash("0912345678")


@pytest.mark.parametrize("missing", ["PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"needs these environment variables: {missing}" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PERSONAL_DATA_KEYS", "not-a-key"),
        ("PERSONAL_DATA_KEYS", "A" * 43 + "=,short"),  # a well-formed key, then a bad one
        ("PERSONAL_DATA_HASH_KEY", "x" * 44),
        ("PERSONAL_DATA_OLD_HASH_KEYS", "abc"),
    ],
)
def test_production_refuses_a_malformed_key_naming_the_variable(name, value):
    result = run(["manage.py", "check"], **{**PROD, name: value})
    assert result.returncode != 0
    assert f"{name} holds a malformed key" in result.stderr


def test_production_refuses_the_development_keys():
    dev = portal_settings.dev_personal_data_key("personal-data-keys")
    result = run(["manage.py", "check"], **{**PROD, "PERSONAL_DATA_KEYS": dev})
    assert result.returncode != 0
    assert "is the development key" in result.stderr


def test_production_starts_with_new_and_old_keys():
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    result = run(["manage.py", "check"], **{**PROD, "PERSONAL_DATA_KEYS": keys})
    assert result.returncode == 0, result.stderr
