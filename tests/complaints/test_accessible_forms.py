"""The forms' markup for keyboards and screen readers (issue 16): the forward button first,
a refused form's summary focused and linked to its fields, invalid boxes described by their
error, unique ids, labels on every control, yes/no groups named by their question, and
autocomplete tokens on personal fields."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from selfassess.models import CriteriaSet
from tests.complaints.factories import png
from tests.complaints.helpers import STEP_URL, file_via_wizard, fill_until_files, step_data
from tests.conftest import login
from tests.selfassess import conftest as selfassess_fixtures

# The self-assessment's fixtures, for the yes/no groups of its forms.
small_set = selfassess_fixtures.small_set
assessment = selfassess_fixtures.assessment
submitted = selfassess_fixtures.submitted

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def all_text(self):
        words = self.text.split()
        for child in self.children:
            words += child.all_text()
        return words

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Tree(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data

    def find_all(self, predicate):
        return [n for n in self.root.iter() if n.tag != "#root" and predicate(n)]

    def by_id(self, ident):
        found = self.find_all(lambda n: n.attrs.get("id") == ident)
        return found[0] if found else None


def tree(response):
    assert response.status_code == 200, response.status_code
    return Tree(response.content.decode())


def controls(page):
    return page.find_all(
        lambda n: (
            n.tag in ("input", "select", "textarea")
            and n.attrs.get("type") not in ("hidden", "submit")
        )
    )


def assert_ids_unique_and_controls_labelled(page):
    ids = Counter(n.attrs["id"] for n in page.find_all(lambda n: "id" in n.attrs))
    assert [i for i, n in ids.items() if n > 1] == []
    labels = {n.attrs.get("for") for n in page.find_all(lambda n: n.tag == "label")}
    for control in controls(page):
        wrapped = any(a.tag == "label" for a in control.ancestors())
        named = control.attrs.get("aria-label") or control.attrs.get("aria-labelledby")
        assert control.attrs.get("id") in labels or wrapped or named, control.attrs


def submit_buttons(form):
    """The form's own submit buttons, in order: one with a form="…" of another form is not."""
    return [
        n
        for n in form.iter()
        if n.tag == "button" and n.attrs.get("type") == "submit" and "form" not in n.attrs
    ]


def main_form(page):
    return page.find_all(lambda n: n.tag == "form" and n.attrs.get("method") == "post")[0]


def test_refused_step_focuses_a_summary_that_links_to_each_field(client, reference_data):
    response = client.post(
        STEP_URL.format("nguoi-gui"),
        {"complainant_name": "", "complainant_email": "", "go": "next"},
    )
    page = tree(response)
    title = page.find_all(lambda n: n.tag == "title")[0].all_text()
    assert title[0] == "Lỗi:"
    summary = page.by_id("form-error-summary")
    assert summary.attrs["tabindex"] == "-1" and "autofocus" in summary.attrs
    links = [n.attrs["href"] for n in summary.iter() if n.tag == "a"]
    assert links == ["#id_complainant_email", "#id_complainant_name"]
    for link in links:
        assert page.by_id(link[1:]) is not None
    # Every invalid box names the message that describes it, and that message exists.
    invalid = page.find_all(lambda n: n.attrs.get("aria-invalid") == "true")
    assert {n.attrs["name"] for n in invalid} == {
        "complainant_name",
        "complainant_email",
        "complainant_phone",
    }
    for box in invalid:
        described = box.attrs["aria-describedby"].split()
        assert all(page.by_id(ident) is not None for ident in described), described
    # "An e-mail or a phone": both boxes point to the one message.
    message = page.by_id("form-errors-1")
    assert "thư điện tử hoặc số điện thoại" in " ".join(message.all_text())
    for name in ("complainant_email", "complainant_phone"):
        box = page.find_all(lambda n, name=name: n.attrs.get("name") == name)[0]
        assert "form-errors-1" in box.attrs["aria-describedby"].split()


def test_a_valid_step_has_no_summary_and_a_plain_title(client, reference_data):
    page = tree(client.get(STEP_URL.format("nguoi-gui")))
    assert page.by_id("form-error-summary") is None
    assert page.find_all(lambda n: n.attrs.get("aria-invalid")) == []
    assert page.find_all(lambda n: n.tag == "title")[0].all_text()[0] != "Lỗi:"


def test_refused_consent_on_the_last_step_is_summarised_too(client, business, issues):
    fill_until_files(client, business)
    client.post(STEP_URL.format("tep"), {"files": [], "go": "next"})
    page = tree(client.post(STEP_URL.format("xac-nhan"), {"go": "send"}))
    assert page.find_all(lambda n: n.tag == "title")[0].all_text()[0] == "Lỗi:"
    summary = page.by_id("form-error-summary")
    assert [n.attrs["href"] for n in summary.iter() if n.tag == "a"] == ["#id_consent_processing"]
    consent = page.by_id("id_consent_processing")
    assert consent.attrs["aria-invalid"] == "true"
    assert page.by_id(consent.attrs["aria-describedby"]) is not None


def test_the_forward_button_is_the_first_submit_button_of_every_step(client, business, issues):
    data = step_data(business)
    for slug in ("nguoi-gui", "doanh-nghiep", "noi-dung", "yeu-cau"):
        page = tree(client.get(STEP_URL.format(slug)))
        first = submit_buttons(main_form(page))[0]
        assert (first.attrs["name"], first.attrs["value"]) == ("go", "next"), slug
        client.post(STEP_URL.format(slug), {**data[slug], "go": "next"})
    # With files listed, their "Remove" buttons post another form: Enter still goes forward.
    client.post(STEP_URL.format("tep"), {"files": [png()], "go": "upload"})
    page = tree(client.get(STEP_URL.format("tep")))
    form = main_form(page)
    assert [b.attrs.get("value") for b in submit_buttons(form)] == ["upload", "next", "back"]
    remove = page.find_all(lambda n: n.attrs.get("name") == "remove")
    assert remove and all(b.attrs["form"] == "remove-files" for b in remove)
    assert page.by_id("remove-files").tag == "form"
    client.post(STEP_URL.format("tep"), {"go": "next"})
    page = tree(client.get(STEP_URL.format("xac-nhan")))
    first = submit_buttons(main_form(page))[0]
    assert first.attrs["value"] == "send"


def test_removing_a_file_through_its_own_form_keeps_the_others(client, business, issues):
    fill_until_files(client, business)
    client.post(STEP_URL.format("tep"), {"files": [png(), png()], "go": "upload"})
    files = client.session["complaint_draft"]["files"]
    assert len(files) == 2
    response = client.post(STEP_URL.format("tep"), {"remove": files[0]["id"]})
    assert response.status_code == 302
    assert [f["id"] for f in client.session["complaint_draft"]["files"]] == [files[1]["id"]]


def test_personal_fields_carry_autocomplete_tokens(client, business, issues):
    page = tree(client.get(STEP_URL.format("nguoi-gui")))
    tokens = {n.attrs["name"]: n.attrs.get("autocomplete") for n in controls(page)}
    assert tokens["complainant_name"] == "name"
    assert tokens["complainant_email"] == "email"
    assert tokens["complainant_phone"] == "tel"
    assert tokens["complainant_address"] == "address-line1"
    assert_ids_unique_and_controls_labelled(page)
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    page = tree(client.get(STEP_URL.format("doanh-nghiep")))
    tokens = {n.attrs["name"]: n.attrs.get("autocomplete") for n in controls(page)}
    assert tokens["business_name"] == "organization"
    assert tokens["business_search"] == "off"
    assert_ids_unique_and_controls_labelled(page)


def test_business_search_box_is_a_combobox_of_a_listbox(client, reference_data):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    page = tree(client.get(STEP_URL.format("doanh-nghiep")))
    box = page.find_all(lambda n: n.attrs.get("name") == "business_search")[0]
    assert box.attrs["role"] == "combobox" and box.attrs["aria-expanded"] == "false"
    listbox = page.by_id(box.attrs["aria-controls"])
    assert listbox.attrs["role"] == "listbox" and listbox.attrs["aria-label"]
    # Empty and hidden until there are suggestions (an empty listbox is invalid ARIA).
    assert "hidden" in listbox.attrs and listbox.children == []


def test_tracking_page_forms_have_their_own_ids_and_labels(client, business, issues):
    file_via_wizard(client, business)
    code = client.session["complaint_filed"]["code"]
    page = tree(client.get(reverse("complaints:track_detail", args=[code])))
    assert_ids_unique_and_controls_labelled(page)
    # The withdrawal reason's label leads to the withdrawal box, not to "Add information".
    withdraw = page.find_all(
        lambda n: n.tag == "form" and n.attrs.get("action", "").endswith("/rut/")
    )[0]
    reason = [n for n in withdraw.iter() if n.tag == "textarea"][0]
    assert reason.attrs["id"] == "id_withdraw_message"
    label = page.find_all(lambda n: n.tag == "label" and n.attrs.get("for") == reason.attrs["id"])
    assert " ".join(label[0].all_text()).startswith("Lý do")
    add_info = page.find_all(
        lambda n: n.tag == "form" and n.attrs.get("action", "").endswith("/bo-sung/")
    )[0]
    assert [n.attrs["id"] for n in add_info.iter() if n.tag == "textarea"] == ["id_info_message"]


def legend_of(fieldset):
    elements = list(fieldset.children)
    assert elements and elements[0].tag == "legend", [c.tag for c in elements][:3]
    return " ".join(elements[0].all_text())


def test_quick_check_answers_are_grouped_under_their_criterion(client, reference_data):
    call_command("seed_selfassess", verbosity=0)
    quick = CriteriaSet.objects.get(code="kiem-tra-nhanh")
    page = tree(client.get(reverse("selfassess:quick_check")))
    criteria = list(quick.criteria.order_by("group__order", "order"))
    groups = page.find_all(lambda n: n.tag == "fieldset")
    radio_groups = [f for f in groups if any(n.attrs.get("type") == "radio" for n in f.iter())]
    assert len(radio_groups) == len(criteria)
    for fieldset, criterion in zip(radio_groups, criteria, strict=True):
        assert legend_of(fieldset) == " ".join(criterion.text.split())
    assert_ids_unique_and_controls_labelled(page)


def test_self_assessment_form_names_each_yes_no_group_by_its_criterion(
    client, request, business_member
):
    assessment = request.getfixturevalue("assessment")
    login(client, business_member)
    group = assessment.criteria_set.groups.order_by("order").first()
    page = tree(client.get(reverse("selfassess:fill", args=[assessment.pk, group.pk])))
    for criterion in group.criteria.all():
        fieldset = page.by_id(f"criterion-{criterion.pk}")
        assert fieldset.tag == "fieldset"
        assert " ".join(criterion.text.split()) in legend_of(fieldset)
    # Enter saves: the form's first submit button is "Save", not a "Remove".
    form = page.find_all(lambda n: n.tag == "form" and "data-autosave-url" in n.attrs)[0]
    assert submit_buttons(form)[0].attrs["name"] == "save"
    assert_ids_unique_and_controls_labelled(page)


def test_officers_decision_is_a_named_group_and_a_refusal_is_summarised(
    client, request, province_officer
):
    submitted = request.getfixturevalue("submitted")
    login(client, province_officer)
    url = reverse("selfassess:review", args=[submitted.pk])
    page = tree(client.get(url))
    decision = [
        f
        for f in page.find_all(lambda n: n.tag == "fieldset")
        if any(n.attrs.get("name") == "decision" for n in f.iter())
    ]
    assert len(decision) == 1
    assert legend_of(decision[0]) == "Quyết định đối với bản tự đánh giá"
    assert_ids_unique_and_controls_labelled(page)
    # Rejecting without a reason: the summary, the title and the described note box.
    page = tree(client.post(url, {"decision": "reject", "note": ""}))
    assert page.find_all(lambda n: n.tag == "title")[0].all_text()[0] == "Lỗi:"
    summary = page.by_id("form-error-summary")
    assert "autofocus" in summary.attrs
    note = page.find_all(lambda n: n.tag == "textarea" and n.attrs.get("name") == "note")[0]
    assert note.attrs["aria-invalid"] == "true"
    assert page.by_id(note.attrs["aria-describedby"]) is not None
    assert [n.attrs["href"] for n in summary.iter() if n.tag == "a"] == [f"#{note.attrs['id']}"]


def test_a_refused_tracking_action_is_summarised_on_the_next_page_once(client, business, issues):
    file_via_wizard(client, business)
    code = client.session["complaint_filed"]["code"]
    url = reverse("complaints:track_detail", args=[code])
    # The withdrawal box was not ticked: the page it redirects to says so on the field.
    response = client.post(url + "rut/", {"message": "Đã tự thỏa thuận"})
    assert response.status_code == 302
    page = tree(client.get(url))
    assert page.find_all(lambda n: n.tag == "title")[0].all_text()[0] == "Lỗi:"
    summary = page.by_id("form-error-summary")
    assert "autofocus" in summary.attrs and summary.attrs["tabindex"] == "-1"
    assert [n.attrs["href"] for n in summary.iter() if n.tag == "a"] == ["#id_withdraw_confirm"]
    confirm = page.by_id("id_withdraw_confirm")
    assert confirm.attrs["aria-invalid"] == "true"
    assert all(page.by_id(i) is not None for i in confirm.attrs["aria-describedby"].split())
    assert page.by_id("id_withdraw_message").text.strip() == "Đã tự thỏa thuận"
    assert_ids_unique_and_controls_labelled(page)
    # Once: the next visit is a plain page again.
    page = tree(client.get(url))
    assert page.by_id("form-error-summary") is None
    assert page.find_all(lambda n: n.attrs.get("aria-invalid")) == []


def test_officers_entry_form_summarises_a_missing_contact(client, province_officer, hanoi):
    login(client, province_officer)
    data = {
        "channel": "post",
        "complainant_name": "Lê Văn Tám",
        "business_name": "Nhà mạng Tây Đô",
        "province": hanoi.pk,
        "description": "Bị trừ tiền dịch vụ không đăng ký.",
        "request": "Hoàn tiền.",
        "consent_processing": "on",
    }
    page = tree(client.post("/khieu-nai/quan-ly/nhap/", data))
    assert page.find_all(lambda n: n.tag == "title")[0].all_text()[0] == "Lỗi:"
    summary = page.by_id("form-error-summary")
    links = [n.attrs["href"] for n in summary.iter() if n.tag == "a"]
    assert links == ["#id_complainant_email", "#id_sector"]
    for name in ("complainant_email", "complainant_phone"):
        box = page.by_id(f"id_{name}")
        assert box.attrs["aria-invalid"] == "true"
        assert "form-errors-1" in box.attrs["aria-describedby"].split()
    assert page.by_id("form-errors-1") is not None
    assert_ids_unique_and_controls_labelled(page)


def test_the_complaint_breadcrumb_is_named_in_the_page_language(client, province_officer):
    from tests.complaints.factories import make_complaint

    complaint = make_complaint()
    login(client, province_officer)
    url = reverse("complaints:staff_detail", args=[complaint.code])
    assert '<nav aria-label="Đường dẫn">' in client.get(url).content.decode()
    assert '<nav aria-label="Breadcrumb">' in client.get("/en" + url).content.decode()
