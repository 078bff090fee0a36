"""Factories for criteria sets and assessments, built through the import format so that
tests exercise the same path as real data."""

from selfassess import services

SMALL_SET = {
    "code": "bo-thu",
    "version": 1,
    "title": "Bộ tiêu chí thử nghiệm Đồng Khởi",
    "year": 2025,
    "status": "active",
    "pass_min_percent": 50,
    "bands": [
        {"code": "vang", "label": "Hạng Vàng", "min_percent": 80},
        {"code": "bac", "label": "Hạng Bạc", "min_percent": 50},
        {"code": "dong", "label": "Hạng Đồng", "min_percent": 0},
    ],
    "groups": [
        {"code": "S", "title": "Sàng lọc"},
        {"code": "A", "title": "Thông tin cho người tiêu dùng"},
        {"code": "B", "title": "Giải quyết khiếu nại"},
    ],
    "criteria": [
        {"code": "S1", "group": "S", "kind": "screening", "text": "Đăng ký tại Việt Nam"},
        {"code": "A1", "group": "A", "kind": "yes_no", "points": 10, "text": "Có niêm yết giá"},
        {
            "code": "A2",
            "group": "A",
            "kind": "plan_evidence",
            "points": 20,
            "text": "Có kế hoạch cung cấp thông tin",
            "evidence_required": True,
        },
        {"code": "B1", "group": "B", "kind": "yes_no", "points": 30, "text": "Có tổng đài"},
        {"code": "B2", "group": "B", "kind": "yes_no", "points": 40, "text": "Có quy trình"},
    ],
}


def make_set(**overrides):
    import copy

    data = copy.deepcopy(SMALL_SET)
    data.update(overrides)
    criteria_set, _created = services.import_criteria_set(data)
    return criteria_set


def criterion(criteria_set, code):
    return criteria_set.criteria.get(code=code)
