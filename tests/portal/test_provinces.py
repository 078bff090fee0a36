"""Former provinces (issue #15, item 7): one mechanism, ``portal.provinces``, that every form,
filter and API reads: a former province's name, typed as people type it, maps to its
successor with a visible note."""

import json
import unicodedata
from pathlib import Path

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.models import Province
from portal.provinces import ProvinceField, note_for, resolve

DATA = json.loads(
    (Path(__file__).resolve().parents[2] / "portal" / "data" / "provinces.json").read_text(
        encoding="utf-8"
    )
)
FORMER = [item for item in DATA["former"] if item["name"] != item["successor"]]


class ProvinceForm(forms.Form):
    province = ProvinceField()


def test_the_data_set_has_63_former_provinces_and_34_current():
    assert len(DATA["former"]) == 63
    assert len(DATA["current"]) == 34
    assert len(FORMER) == 29  # the 34 others kept their name (the former "Hà Nội" is Hà Nội)


def test_every_former_province_maps_to_its_successor(reference_data):
    for item in DATA["former"]:
        for typed in (item["name"], item["name"].upper(), _plain(item["name"])):
            current, former = resolve(typed)
            assert current.name == item["successor"], typed
            assert current.is_active
            if item["name"] == item["successor"]:
                assert former is None, typed
            else:
                assert former.name == item["name"] and not former.is_active, typed


def test_every_former_province_id_maps_to_its_successor(reference_data):
    for province in Province.objects.filter(is_active=False).select_related("successor"):
        current, former = resolve(province.pk)
        assert current == province.successor
        assert former == (None if province.name == province.successor.name else province)
        assert resolve(str(province.pk))[0] == province.successor
        assert resolve(province.slug)[0] == province.successor


def test_every_current_province_resolves_to_itself(reference_data):
    for province in Province.objects.current():
        for typed in (province.pk, province.name, province.full_name, province.name_en):
            assert resolve(typed) == (province, None), typed
        assert resolve(province.code, key="code") == (province, None)


@pytest.mark.parametrize(
    ("typed", "current", "former"),
    [
        ("binh dinh", "Gia Lai", "Bình Định"),
        ("Long An", "Tây Ninh", "Long An"),
        ("tỉnh Bình Định", "Gia Lai", "Bình Định"),
        ("Tinh Long An", "Tây Ninh", "Long An"),
        ("t. Bình Định", "Gia Lai", "Bình Định"),
        ("T.Long An", "Tây Ninh", "Long An"),
        ("  BÌNH   ĐỊNH ", "Gia Lai", "Bình Định"),
        (unicodedata.normalize("NFD", "Bình Định"), "Gia Lai", "Bình Định"),
        ("ba ria vung tau", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa–Vũng Tàu", "Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("Hoà Bình", "Phú Thọ", "Hòa Bình"),  # old tone placement
        ("dak nong", "Lâm Đồng", "Đắk Nông"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh", None),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh", None),
        ("tp ho chi minh", "Hồ Chí Minh", None),
        ("TP HCM", "Hồ Chí Minh", None),
        ("TP.HCM", "Hồ Chí Minh", None),
        ("Sài Gòn", "Hồ Chí Minh", None),
        ("Ho Chi Minh City", "Hồ Chí Minh", None),
        ("Thừa Thiên Huế", "Huế", None),
        ("thanh pho ha noi", "Hà Nội", None),
        ("Hanoi", "Hà Nội", None),
        ("Quang Nam province", "Đà Nẵng", "Quảng Nam"),
    ],
)
def test_names_as_people_type_them(reference_data, typed, current, former):
    found_current, found_former = resolve(typed)
    assert found_current.name == current
    assert (found_former.name if found_former else None) == former


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "Atlantis", "tỉnh", "thành phố", "999999", "0", "Bình", "<b>x</b>", "²", "١", None],
)
def test_unknown_input_resolves_to_nothing(reference_data, typed):
    assert resolve(typed) is None


def test_a_code_is_read_as_a_code_only_when_asked(reference_data, hanoi):
    assert resolve("01", key="code") == (hanoi, None)
    assert resolve("1", key="code") == (hanoi, None)
    # Without key="code", digits are an id.
    assert resolve(str(hanoi.pk)) == (hanoi, None)


def test_the_note_reads_as_the_ministry_writes_it(reference_data):
    current, former = resolve("Long An")
    with translation.override("vi"):
        assert note_for(current, former) == "Long An nay thuộc Tây Ninh"
    with translation.override("en"):
        assert note_for(current, former) == "Long An is now part of Tay Ninh"
    assert note_for(current, None) == ""


def test_the_select_lists_current_units_then_former_ones(reference_data):
    with translation.override("vi"):
        html = str(ProvinceForm()["province"])
    current_group = html.index('<optgroup label="Tỉnh, thành phố hiện nay">')
    former_group = html.index('<optgroup label="Tỉnh, thành phố trước 01/7/2025">')
    assert current_group < former_group
    gia_lai = Province.objects.get(name="Gia Lai", is_active=True)
    binh_dinh = Province.objects.get(name="Bình Định", is_active=False)
    assert html.index(f'<option value="{gia_lai.pk}">Gia Lai</option>') < former_group
    assert f'<option value="{binh_dinh.pk}">Bình Định (nay thuộc Gia Lai)</option>' in html
    # 34 current units, and the 29 former ones with a name of their own.
    assert html[current_group:former_group].count("<option") == 34
    assert html[former_group:].count("<option") == 29
    # A former unit that kept its name is not offered twice.
    assert ">Hà Nội (nay thuộc Hà Nội)<" not in html


def test_a_form_reads_the_provinces_once_to_draw_clean_and_note(reference_data):
    with CaptureQueriesContext(connection) as queries:
        form = ProvinceForm({"province": "binh dinh"})
        assert form.is_valid()
        str(form["province"])
        assert form.fields["province"].note
        assert len(list(form.fields["province"].choices)) == 1 + 34 + 29
    assert len(queries) == 1
    # The next form (another request) finds the directory in the shared cache.
    with CaptureQueriesContext(connection) as queries:
        form = ProvinceForm({"province": "long an"})
        assert form.is_valid() and form.fields["province"].note
        str(form["province"])
    assert len(queries) == 0


def test_templates_that_draw_their_own_options_get_them_flat(reference_data):
    choices = list(ProvinceForm().fields["province"].choices)
    assert choices[0] == ("", "Chọn tỉnh, thành phố")
    assert not any(isinstance(label, (list, tuple)) for _value, label in choices)
    long_an = Province.objects.get(name="Long An", is_active=False)
    assert (long_an.pk, "Long An (nay thuộc Tây Ninh)") in choices


def test_choosing_a_former_province_cleans_to_its_successor_with_a_note(reference_data):
    binh_dinh = Province.objects.get(name="Bình Định", is_active=False)
    form = ProvinceForm({"province": str(binh_dinh.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["province"] == binh_dinh.successor
    assert form.fields["province"].former == binh_dinh
    with translation.override("vi"):
        assert form.fields["province"].note == "Bình Định nay thuộc Gia Lai"


def test_a_typed_name_is_accepted_and_shown_as_the_option_it_chose(reference_data):
    form = ProvinceForm({"province": "tinh long an"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["province"].name == "Tây Ninh"
    long_an = Province.objects.get(name="Long An", is_active=False)
    assert f'<option value="{long_an.pk}" selected>' in str(form["province"])


def test_a_current_province_has_no_note(reference_data, hanoi):
    form = ProvinceForm({"province": str(hanoi.pk)})
    assert form.is_valid()
    assert form.cleaned_data["province"] == hanoi
    assert form.fields["province"].former is None
    assert form.fields["province"].note == ""


def test_an_unknown_province_gets_a_clear_message_with_what_was_typed(reference_data):
    with translation.override("vi"):
        form = ProvinceForm({"province": "Tỉnh Atlantis"})
        assert not form.is_valid()
        message = form.errors["province"][0]
    assert "“Tỉnh Atlantis”" in message
    assert message.startswith("Không tìm thấy tỉnh, thành phố")


def test_a_field_limited_to_some_provinces_refuses_the_others(reference_data, hanoi, hcm):
    class Limited(forms.Form):
        province = ProvinceField(queryset=Province.objects.filter(pk=hcm.pk))

    assert Limited({"province": "Bình Dương"}).is_valid()
    assert not Limited({"province": str(hanoi.pk)}).is_valid()
    assert not Limited({"province": "Long An"}).is_valid()
    html = str(Limited()["province"])
    assert "Bình Dương" in html and "Long An" not in html and "Hà Nội" not in html


def test_forms_do_not_share_what_was_chosen(reference_data):
    first = ProvinceForm({"province": "Long An"})
    second = ProvinceForm({"province": "Tây Ninh"})
    assert first.is_valid() and second.is_valid()
    assert first.fields["province"].former.name == "Long An"
    assert second.fields["province"].former is None


def test_a_changed_province_is_seen_at_once(reference_data):
    assert resolve("Long An")[0].name == "Tây Ninh"
    long_an = Province.objects.get(name="Long An", is_active=False)
    long_an.successor = Province.objects.get(name="Đồng Tháp", is_active=True)
    long_an.save()
    assert resolve("Long An")[0].name == "Đồng Tháp"
    long_an.delete()
    assert resolve("Long An") is None


def _plain(text):
    from portal.text import fold

    return fold(text)
