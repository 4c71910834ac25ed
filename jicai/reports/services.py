"""Every write of the monthly report: save what the institution enters, submit (a new frozen revision), and the
bureau's accept / return / reopen. Keyword-only, atomic, audited; the role is checked at the top."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jicai.core.audit import record
from jicai.core.scoping import can_write
from jicai.orgs.models import Institution
from jicai.policy.rules.days import WorkCalendar
from jicai.reports.fill import fill, missing_reasons, title
from jicai.reports.models import MonthlyReport, ReportReminder, ReportReview, ReportRevision
from jicai.reports.rules import first_of_month, is_on_time

CONFLICT = gettext_noop("该月报表已被他人提交（第%(revision)d版），请刷新后查看")
ACCEPTED = gettext_noop("该月报表已验收，不能再提交；如需更正请联系医保局退回")
LOCKED = gettext_noop("该月报表已于%(lock_on)s锁定，请联系医保局重新开放后再提交")
MISSING_REASONS = gettext_noop("以下逾期未回款发票尚未填写原因：%(invoices)s")
MISSING_SIGNATURE = gettext_noop("请填写填表人和联系电话")
NOT_SUBMITTED = gettext_noop("只有已提交的月报表可以验收或退回")
RETURN_NEEDS_COMMENT = gettext_noop("退回时请填写意见")
REVIEW_OWN_REVISION = gettext_noop("该月报表已有新版本，请刷新后再审核")

SIGNATURE_FIELDS = ("leader", "preparer", "prepared_on", "phone")


class ReportError(ValueError):
    """A report cannot be changed as asked; the message says why, in words for the user."""


def check_institution_writer(user, institution: Institution) -> None:
    """Only the institution's own clerks and managers (and the administrator) fill and submit its report."""
    if user.is_superuser:
        return
    m = getattr(user, "membership", None)
    if m is None or m.institution_id != institution.pk or not can_write(user):
        raise PermissionDenied


def check_bureau_writer(user, institution: Institution) -> None:
    """Only the bureau (医保局, not the health commission) of the institution's region or above reviews."""
    if user.is_superuser:
        return
    m = getattr(user, "membership", None)
    if m is None or not m.region_id or not can_write(user) or not institution.region.path.startswith(m.region.path):
        raise PermissionDenied


def report_for(*, institution: Institution, month: date) -> MonthlyReport:
    """The institution's report of a data month, created as a draft on first use."""
    report, _created = MonthlyReport.objects.get_or_create(institution=institution, month=first_of_month(month))
    return report


@transaction.atomic
def save_draft(
    *,
    report: MonthlyReport,
    by,
    leader: str | None = None,
    preparer: str | None = None,
    prepared_on: date | None = None,
    phone: str | None = None,
    reasons: dict[str, str] | None = None,
) -> MonthlyReport:
    """Store what the institution enters: the signature fields and the reasons of unpaid invoices."""
    check_institution_writer(by, report.institution)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    changes = {}
    for name, value in (("leader", leader), ("preparer", preparer), ("prepared_on", prepared_on), ("phone", phone)):
        if value is not None and getattr(report, name) != value:
            changes[name] = str(value)
            setattr(report, name, value)
    if reasons is not None:
        cleaned = {k: v.strip() for k, v in reasons.items() if v and v.strip()}
        if cleaned != report.reasons:
            changes["reasons"] = cleaned
            report.reasons = cleaned
    if changes:
        report.save()
        record(by, "report.save", report, changes=changes)
    return report


def snapshot(document: dict) -> dict:
    """What a revision freezes: the rows and the four signature fields."""
    return {"rows": document["rows"], **{name: document[name] for name in SIGNATURE_FIELDS}}


@transaction.atomic
def submit_report(
    *,
    report: MonthlyReport,
    by,
    expected_revision: int | None = None,
    source: str = ReportRevision.Source.WEB,
    at: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> ReportRevision:
    """Freeze the report as computed now into a new revision.

    `expected_revision` is the revision the user was looking at: when someone else has submitted since, this
    fails instead of writing a second revision. A submission identical to the latest one (two people pressing the
    button at once) returns that revision and writes nothing. The row lock and the unique (report, number)
    constraint make sure two transactions never both write revision n.
    """
    check_institution_writer(by, report.institution)
    report = MonthlyReport.objects.select_for_update().select_related("institution__region").get(pk=report.pk)
    if expected_revision is not None and report.revision != expected_revision:
        raise ReportError(_(CONFLICT) % {"revision": report.revision})
    if report.status == MonthlyReport.Status.ACCEPTED:
        raise ReportError(_(ACCEPTED))
    at = at or timezone.now()
    day = timezone.localdate(at)
    document = fill(
        Institution.objects.filter(pk=report.institution_id),
        report.month,
        reports={report.institution_id: report},
        calendar=calendar,
    )[report.institution_id]
    if day > date.fromisoformat(document["lock_on"]) and not report.reopened:
        raise ReportError(_(LOCKED) % {"lock_on": document["lock_on"]})
    missing = missing_reasons(document)
    if missing:
        raise ReportError(_(MISSING_REASONS) % {"invoices": "、".join(missing)})
    if not report.preparer.strip() or not report.phone.strip():
        raise ReportError(_(MISSING_SIGNATURE))
    content = snapshot(document)
    latest = report.revisions.order_by("-number").first()
    if latest is not None and report.status == MonthlyReport.Status.SUBMITTED and revision_content(latest) == content:
        return latest
    number = report.revision + 1
    try:
        with transaction.atomic():
            revision = ReportRevision.objects.create(
                report=report,
                number=number,
                submitted_at=at,
                submitted_by=by if by.pk else None,
                source=source,
                on_time=is_on_time(day, date.fromisoformat(document["due_on"])),
                rows=content["rows"],
                leader=report.leader,
                preparer=report.preparer,
                prepared_on=report.prepared_on,
                phone=report.phone,
                reasons=report.reasons,
            )
    except IntegrityError:
        raise ReportError(_(CONFLICT) % {"revision": number}) from None
    report.revision = number
    report.status = MonthlyReport.Status.SUBMITTED
    report.first_submitted_at = report.first_submitted_at or at
    report.last_submitted_at = at
    report.reopened = False
    report.save()
    record(by, "report.submit", report, changes={"revision": number, "on_time": revision.on_time, "source": source})
    return revision


def revision_content(revision: ReportRevision) -> dict:
    return {
        "rows": revision.rows,
        "leader": revision.leader,
        "preparer": revision.preparer,
        "prepared_on": revision.prepared_on.isoformat() if revision.prepared_on else "",
        "phone": revision.phone,
    }


@transaction.atomic
def review_report(
    *, report: MonthlyReport, by, accept: bool, comment: str = "", revision: int | None = None, at=None
) -> ReportReview:
    """The bureau accepts the latest submitted revision, or returns it with a comment for a correction."""
    check_bureau_writer(by, report.institution)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != MonthlyReport.Status.SUBMITTED:
        raise ReportError(_(NOT_SUBMITTED))
    if revision is not None and revision != report.revision:
        raise ReportError(_(REVIEW_OWN_REVISION))
    comment = comment.strip()
    if not accept and not comment:
        raise ReportError(_(RETURN_NEEDS_COMMENT))
    decision = ReportReview.Decision.ACCEPT if accept else ReportReview.Decision.RETURN
    review = ReportReview.objects.create(
        report=report,
        revision=report.revision,
        decision=decision,
        comment=comment,
        by=by if by.pk else None,
        at=at or timezone.now(),
    )
    report.status = MonthlyReport.Status.ACCEPTED if accept else MonthlyReport.Status.RETURNED
    if not accept:
        report.reopened = True  # a returned report may be corrected after the lock date
    report.save()
    record(by, f"report.{decision}", report, changes={"revision": report.revision}, reason=comment)
    return review


@transaction.atomic
def reopen_report(*, report: MonthlyReport, by, comment: str = "", at=None) -> ReportReview:
    """After the lock date only the bureau can let one institution submit again."""
    check_bureau_writer(by, report.institution)
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    report.reopened = True
    report.save()
    review = ReportReview.objects.create(
        report=report,
        revision=report.revision,
        decision=ReportReview.Decision.REOPEN,
        comment=comment.strip(),
        by=by if by.pk else None,
        at=at or timezone.now(),
    )
    record(by, "report.reopen", report, reason=comment)
    return review


@transaction.atomic
def submit_upload(
    *, report: MonthlyReport, by, draft: dict, differences: int, expected_revision: int | None, at=None
) -> ReportRevision:
    """Confirm an uploaded form: its signatures and reasons are stored and the report is submitted as the records
    give it (the differences the institution saw are kept in the audit trail)."""
    prepared_on = date.fromisoformat(draft["prepared_on"]) if draft.get("prepared_on") else None
    save_draft(
        report=report,
        by=by,
        leader=draft.get("leader", ""),
        preparer=draft.get("preparer", ""),
        prepared_on=prepared_on,
        phone=draft.get("phone", ""),
        reasons={**report.reasons, **draft.get("reasons", {})},
    )
    record(by, "report.upload", report, changes={"differences": differences})
    return submit_report(
        report=report, by=by, expected_revision=expected_revision, source=ReportRevision.Source.UPLOAD, at=at
    )


REMINDER_SUBJECT = gettext_noop("请报送%(month)s月报表")
REMINDER_BODY = gettext_noop(
    "%(institution)s：\n\n贵单位%(month)s的《%(title)s》尚未提交，报送截止日为%(due_on)s。"
    "请登录国家组织药品集中带量采购管理系统填报提交。\n\n%(sender)s"
)


def remind(*, institutions: list[Institution], month: date, by, due_on: dict[int, date], at=None) -> int:
    """Remind institutions that have not submitted: a reminder in the system for each, and an e-mail where the
    institution has an address. `due_on`: institution id → the report's due date."""
    from django.core.mail import send_mass_mail

    for inst in institutions:
        check_bureau_writer(by, inst)
    at = at or timezone.now()
    month = first_of_month(month)
    sender = str(getattr(getattr(by, "membership", None), "organisation", "") or "")
    mails = []
    with transaction.atomic():
        for inst in institutions:
            reminder = ReportReminder.objects.create(
                institution=inst, month=month, by=by if by.pk else None, at=at, emailed_to=inst.email
            )
            record(by, "report.remind", reminder, changes={"institution": inst.code, "month": f"{month:%Y-%m}"})
            if inst.email:
                words = {
                    "institution": inst.name,
                    "month": f"{month:%Y-%m}",
                    "title": title(inst.region.name),
                    "due_on": due_on[inst.pk],
                    "sender": sender,
                }
                mails.append((_(REMINDER_SUBJECT) % words, _(REMINDER_BODY) % words, None, [inst.email]))
    if mails:
        send_mass_mail(mails, fail_silently=True)
    return len(institutions)


def diff_rows(old: list[dict], new: list[dict]) -> list[dict]:
    """What changed between two revisions' rows, per product: added, removed, or the fields that differ."""
    fields = ("agreed_wan", "purchased_wan", "fully_paid_text", "remarks")
    before = {r["product"]: r for r in old}
    after = {r["product"]: r for r in new}
    changes = []
    for code in sorted(before.keys() | after.keys()):
        a, b = before.get(code), after.get(code)
        name = (b or a)["generic_name"]
        if a is None:
            changes.append({"product": code, "generic_name": name, "change": "added", "fields": {}})
        elif b is None:
            changes.append({"product": code, "generic_name": name, "change": "removed", "fields": {}})
        else:
            differ = {f: (a.get(f), b.get(f)) for f in fields if a.get(f) != b.get(f)}
            if differ:
                changes.append({"product": code, "generic_name": name, "change": "changed", "fields": differ})
    return changes
