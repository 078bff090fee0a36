"""Load the real warnings and recalls shipped in ``consumer_warnings/data/warnings.json``,
each with its source. Idempotent: the source URL identifies a notice."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from consumer_warnings.models import ConsumerWarning, WarningEvent, notice_moment
from portal.models import Sector

DATA = Path(__file__).resolve().parents[2] / "data" / "warnings.json"

SCAM_ADVICE = (
    "Không chuyển tiền, không cung cấp mật khẩu hay mã OTP theo yêu cầu qua điện thoại, "
    "tin nhắn hay mạng xã hội. Kiểm tra địa chỉ website, số điện thoại và văn bản với kênh "
    "chính thức của cơ quan hoặc doanh nghiệp. Nếu nghi ngờ, gọi tổng đài miễn phí 1800 6838."
)
RECALL_ADVICE = (
    "Đối chiếu tên, đời xe và các thông tin nhận dạng nêu trong thông báo với giấy tờ xe của "
    "bạn, hoặc hỏi đại lý ủy quyền của hãng. Nếu xe thuộc diện thu hồi, liên hệ đại lý để "
    "được kiểm tra, khắc phục theo thông báo."
)


def parse_date(value):
    """'2025-11-06' → date; '2017-08' → 1/8/2017 with a note; anything else → None."""
    if not value:
        return None, ""
    try:
        return datetime.date.fromisoformat(value), ""
    except ValueError:
        pass
    try:
        year, month = (int(p) for p in value.split("-"))
        return datetime.date(year, month, 1), f"Nguồn chỉ ghi tháng {month:02d}/{year}."
    except ValueError:
        return None, ""


def measures_for(record):
    if record["loai"] != "thu_hoi":
        return [ConsumerWarning.Measure.WARNING_ONLY]
    text = (record.get("bien_phap") or "").lower()
    measures = [ConsumerWarning.Measure.RECALL]
    if "thay thế" in text:
        measures.append(ConsumerWarning.Measure.REPLACEMENT)
    if "sửa chữa" in text or "gia cố" in text:
        measures.append(ConsumerWarning.Measure.REPAIR)
    return measures


def fields_for(item, sectors):
    record = item["record"]
    recall = record["loai"] == "thu_hoi"
    issued_on, date_note = parse_date(record.get("ngay"))
    notes = [n for n in (record.get("ghi_chu"), date_note) if n]
    if issued_on is None:
        # A recall that states its start date was announced by then at the latest.
        issued_on, start_note = parse_date(record.get("ngay_bat_dau"))
        if issued_on and not start_note:
            notes.append("Ngày ghi theo ngày bắt đầu thu hồi nêu trong nguồn.")
        else:
            issued_on = None
            notes.append(
                "Nguồn không ghi rõ ngày thông báo; cổng không gán ngày cho thông báo này "
                "và xếp nó sau các thông báo có ngày."
            )
    if record.get("uncertain"):
        notes.append("Một số chi tiết trong nguồn chưa được xác minh đầy đủ.")
    fields = {
        "kind": ConsumerWarning.Kind.RECALL if recall else ConsumerWarning.Kind.UNSAFE_PRACTICE,
        "title": record["tieu_de"],
        "sector": sectors[item["sector"]],
        "hazard": item["hazard"],
        "risk_level": "",
        "measures": measures_for(record),
        "source_agency": record.get("co_quan") or "",
        "issued_on": issued_on,
        "source_note": " ".join(notes),
        "imported": True,
    }
    if recall:
        quantity = record.get("so_luong")
        defect = record.get("nguyen_nhan") or ""
        time_place = [
            record.get("dia_diem"),
            f"Bắt đầu: {record['ngay_bat_dau']}" if record.get("ngay_bat_dau") else "",
            f"Kết thúc: {record['ngay_ket_thuc']}" if record.get("ngay_ket_thuc") else "",
        ]
        remedy = [
            record.get("bien_phap"),
            f"Thời gian khắc phục: {record['thoi_gian_khac_phuc']}"
            if record.get("thoi_gian_khac_phuc")
            else "",
            f"Chi phí: {record['chi_phi']}" if record.get("chi_phi") else "",
        ]
        identification = [f"Sản phẩm: {record.get('san_pham')}"]
        if record.get("dai_so_vin"):
            identification.append(f"Dải số VIN: {record['dai_so_vin']}")
        if record.get("cau_truc_du_lieu"):
            identification.append(
                "Đối chiếu số VIN với bảng trong thông cáo gốc (xem nguồn): "
                + record["cau_truc_du_lieu"]
            )
        fields.update(
            {
                "summary": record.get("mo_ta_loi") or record["tieu_de"],
                "body": "",
                "product_name": record.get("san_pham") or "",
                "business_name": record.get("doanh_nghiep") or "",
                "quantity": str(quantity) if quantity is not None else "",
                "batch": record.get("dai_so_vin") or "",
                "production_note": record.get("thoi_gian_san_xuat") or "",
                "defect": f"Nguyên nhân: {defect}" if defect else "",
                "risk_description": record.get("mo_ta_loi") or "",
                "identification": "\n".join(identification),
                "recall_time_place": "\n".join(p for p in time_place if p),
                "remedy": "\n".join(p for p in remedy if p),
                "contact": record.get("lien_he") or "",
                "how_to_check": RECALL_ADVICE,
            }
        )
    else:
        points = record.get("noi_dung_chinh") or []
        body = ["**Nội dung chính của cảnh báo:**", ""] + [f"- {p}" for p in points]
        if record.get("so_lieu"):
            body += ["", record["so_lieu"] + "."]
        if record.get("lien_he"):
            body += ["", f"**Liên hệ:** {record['lien_he']}"]
        fields.update(
            {
                "summary": "; ".join(points[:3]) + ("…" if len(points) > 3 else "."),
                "body": "\n".join(body),
                "how_to_check": SCAM_ADVICE,
            }
        )
    return fields


class Command(BaseCommand):
    help = "Load the real warnings and recalls with their sources (idempotent)."

    def handle(self, *args, **options):
        with open(DATA, encoding="utf-8") as handle:
            data = json.load(handle)
        sectors = {s.code: s for s in Sector.objects.all()}
        created = 0
        with transaction.atomic():
            for item in data["warnings"]:
                fields = fields_for(item, sectors)
                url = item["record"]["nguon"]
                warning = ConsumerWarning.objects.filter(source_url=url).first()
                if warning is None:
                    warning = ConsumerWarning(source_url=url)
                    created += 1
                for name, value in fields.items():
                    setattr(warning, name, value)
                # Dated notices carry their own date; undated ones none (never the load
                # time), so they come last. A notice staff withdrew stays withdrawn.
                warning.published_at = notice_moment(fields["issued_on"])
                if warning.status == ConsumerWarning.Status.DRAFT:
                    warning.status = ConsumerWarning.Status.PUBLISHED
                warning.save()
                if not warning.events.filter(action=WarningEvent.Action.PUBLISHED).exists():
                    WarningEvent.objects.create(
                        warning=warning,
                        action=WarningEvent.Action.PUBLISHED,
                        # The portal's own step: undated notices were loaded that day.
                        at=warning.published_at or warning.created_at,
                        note="Nạp từ dữ liệu tham chiếu của cổng.",
                    )
        self.stdout.write(
            f"Warnings: {len(data['warnings'])} real notices ({created} new), with sources."
        )
