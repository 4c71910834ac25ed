"""The demo's monthly-report story (SPEC §4.7, §7): from June 2020 the 涪陵 institutions report every month, as
the Fuling notice asks ("从今年6月起，各医疗机构于每月10日前……报送"). Most submit on time and the district bureau
accepts; 涪陵区人民医院 submits its September 2020 report late; 涪陵区中医院's August report is returned and
resubmitted; the community health centres and the others have not submitted, so the bureau's status page shows
every case. Overdue invoices get a reason, as the form asks."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from jicai.orgs.models import Institution
from jicai.orgs.services import add_member
from jicai.policy.calendar import work_calendar
from jicai.reports.fill import fill, missing_reasons
from jicai.reports.services import report_for, review_report, save_draft, submit_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
BUREAU_USER = "fuling_bureau"
MONTHS = [date(2020, m, 1) for m in range(6, 13)]  # June to December 2020
# institution code → (user who fills it, 填表人, 联系电话); the first user is one of the demo logins
REPORTERS = {
    "H50010200001": ("fuling_hospital", "陈药师", "023-72200001"),
    "H50010200002": ("fuling_rmyy", "刘药师", "023-72200002"),
    "H50010200003": ("fuling_zyy", "王药师", "023-72200003"),
    "H50010200004": ("fuling_fybjy", "赵药师", "023-72200004"),
    "H50010200006": ("fuling_jwzx", "孙药师", "023-72200006"),
}
LEADER = "分管副院长（演示数据）"
LATE = {("H50010200002", date(2020, 9, 1)): datetime(2020, 10, 13, 16, 20)}  # after the 2020-10-10 due date
RETURNED = ("H50010200003", date(2020, 8, 1))
RETURN_COMMENT = "已采购量与省平台数据不符，请核对退货后重新提交（演示数据）"
REASON = "资金周转困难，已列入下月付款计划（演示数据）"


def _user(username: str, institution: Institution):
    from jicai.core.demo import PASSWORD

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = add_member(username=username, password=PASSWORD, organisation=institution, role="clerk")
    return user


def _on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def load() -> dict[str, int]:
    """Run the story; returns how many revisions were submitted and reviews written."""
    bureau = get_user_model().objects.select_related("membership__region").get(username=BUREAU_USER)
    institutions = {i.code: i for i in Institution.objects.filter(code__in=REPORTERS).select_related("region")}
    calendar = work_calendar()
    submitted = reviewed = 0
    for code, (username, preparer, phone) in REPORTERS.items():
        inst = institutions[code]
        user = _user(username, inst)
        for month in MONTHS:
            report = report_for(institution=inst, month=month)
            document = fill(
                Institution.objects.filter(pk=inst.pk), month, reports={inst.pk: report}, calendar=calendar
            )[inst.pk]
            due = date.fromisoformat(document["due_on"])
            at = LATE.get((code, month))
            at = _on(at.date(), at.hour, at.minute) if at else _on(due.replace(day=max(due.day - 2, 1)), 10)
            save_draft(
                report=report,
                by=user,
                leader=LEADER,
                preparer=preparer,
                prepared_on=at.date(),
                phone=phone,
                reasons={no: REASON for no in missing_reasons(document)},
            )
            submit_report(report=report, by=user, at=at, calendar=calendar)
            submitted += 1
            if (code, month) == RETURNED:
                review_report(report=report, by=bureau, accept=False, comment=RETURN_COMMENT, at=_on(due, 9))
                submit_report(report=report, by=user, at=_on(due.replace(day=due.day + 3), 15), calendar=calendar)
                submitted += 1
                reviewed += 1
            if month < date(2020, 12, 1):  # December's reports still wait for the bureau
                review_report(report=report, by=bureau, accept=True, at=_on(due.replace(day=due.day + 5), 11))
                reviewed += 1
    return {"submitted": submitted, "reviewed": reviewed}
