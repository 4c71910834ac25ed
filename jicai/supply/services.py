"""Every write of supply monitoring: the institution's weekly check, shortage cases (opened by an institution or
a bureau, answered by the company, closed by the bureau), substitute purchases, and reminders for missing checks.
Keyword-only, atomic, audited; the role is checked at the top, before anything is read or written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jicai.catalog.models import Award
from jicai.core.audit import record
from jicai.core.scoping import can_write
from jicai.orgs.models import Institution, Membership, Region
from jicai.policy.rules import supply as rules
from jicai.supply.models import ShortageCase, SubstitutePurchase, SupplyCheck, SupplyReminder
from jicai.supply.weeks import checked_awards, held_awards, participating

NOT_HELD = gettext_noop("本机构在该周没有“%(award)s”的约定采购量，无需填报")
FUTURE_WEEK = gettext_noop("不能填报尚未开始的周（%(week)s）")
WEEK_CLOSED = gettext_noop("%(week)s 当周已结束，已填报的供应情况不能再更正")
BAD_STATUS = gettext_noop("供应情况应为 正常、紧张 或 断供")
NOTE_NEEDED = gettext_noop("“%(award)s”为紧张或断供时请填写说明")
CASE_CLOSED = gettext_noop("该短缺事件已关闭，不能再修改")
TEXT_NEEDED = gettext_noop("请填写%(what)s")
AWARD_OUTSIDE = gettext_noop("该中选药品不在本区划供应")
INSTITUTION_OUTSIDE = gettext_noop("该医疗机构不在本区划")
BAD_PRICE = gettext_noop("替代单价应为大于 0 的金额（元，最多 4 位小数）")
BAD_QUANTITY = gettext_noop("数量应为大于 0 的整数（最小制剂单位）")
BOUGHT_BEFORE_CASE = gettext_noop("替代采购日期不能早于事件报告日期 %(opened)s")
FUTURE_DATE = gettext_noop("日期不能晚于今天")
CONFLICT = gettext_noop("该周的供应情况刚刚已由本机构其他人员提交，请刷新页面后再提交")


class SupplyError(ValueError):
    """A supply write cannot be done as asked; the message says why, in words for the user."""


# Who may write


def _membership(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return getattr(user, "membership", None)


def _actor(user):
    """The user to name in rows: None for the console's unsaved system administrator."""
    return user if user is not None and user.pk is not None else None


def check_institution_writer(user, institution: Institution) -> None:
    """The institution's own clerks and managers (and the administrator)."""
    if user is not None and user.is_superuser:
        return
    m = _membership(user)
    if m is None or m.institution_id != institution.pk or not can_write(user):
        raise PermissionDenied


def check_bureau_writer(user, region: Region) -> None:
    """A bureau (医保局, not the health commission) clerk or manager of `region` or above (or the administrator)."""
    if user is not None and user.is_superuser:
        return
    m = _membership(user)
    if m is None or not m.region_id or not can_write(user) or not region.path.startswith(m.region.path):
        raise PermissionDenied


def check_company_writer(user, company) -> None:
    """The company's own clerks and managers; the administrator does not answer for a company."""
    m = _membership(user)
    if m is None or m.company_id != company.pk or not can_write(user):
        raise PermissionDenied


# Weekly check


@dataclass(frozen=True)
class Answer:
    award: Award
    status: str
    note: str = ""


def _check_week(week: date, today: date) -> date:
    week = rules.week_of(week)
    if week > rules.week_of(today):
        raise SupplyError(_(FUTURE_WEEK) % {"week": week})
    return week


@transaction.atomic
def record_week(
    *, institution: Institution, week: date, answers: list[Answer], by, at: datetime | None = None
) -> list[SupplyCheck]:
    """The institution's answers for a week, one per award, in one go. A new answer is created; a changed one
    (a correction within the week) is updated, each with an audit row; an unchanged one is left alone.

    The week closes on its Sunday: after it, an answer given can no longer be corrected, but a missing one may
    still be filled in late (the reminder asks for it; `checked_at` shows it came late)."""
    check_institution_writer(by, institution)
    at = at or timezone.now()
    week = _check_week(week, timezone.localdate(at))
    held = held_awards(Institution.objects.filter(pk=institution.pk), week).get(institution.pk, set())
    for a in answers:
        if a.award.pk not in held:
            raise SupplyError(_(NOT_HELD) % {"award": a.award})
        if a.status not in rules.STATUSES:
            raise SupplyError(_(BAD_STATUS))
        if a.status != rules.NORMAL and not a.note.strip():
            raise SupplyError(_(NOTE_NEEDED) % {"award": a.award})
    existing = {
        c.award_id: c
        for c in SupplyCheck.objects.select_for_update().filter(
            institution=institution, week=week, award__in=[a.award for a in answers]
        )
    }
    new, changed = [], []
    actor = _actor(by)
    for a in answers:
        note = a.note.strip()
        old = existing.get(a.award.pk)
        if old is None:
            new.append(
                SupplyCheck(
                    institution=institution,
                    award=a.award,
                    week=week,
                    status=a.status,
                    note=note,
                    checked_by=actor,
                    checked_at=at,
                )
            )
        elif (old.status, old.note) != (a.status, note):
            if rules.week_end(week) < timezone.localdate(at):
                raise SupplyError(_(WEEK_CLOSED) % {"week": week})
            before = {"status": old.status, "note": old.note}
            old.status, old.note, old.checked_by, old.checked_at = a.status, note, actor, at
            changed.append((old, before))
    try:
        with transaction.atomic():
            SupplyCheck.objects.bulk_create(new)
    except IntegrityError:  # someone of the institution submitted the same week a moment ago
        raise SupplyError(_(CONFLICT)) from None
    SupplyCheck.objects.bulk_update([c for c, _b in changed], ["status", "note", "checked_by", "checked_at"])
    for c in new:  # bulk_create has set the primary keys (PostgreSQL, SQLite ≥ 3.35)
        record(by, "supply.check", c, changes={"week": str(week), "status": c.status, "note": c.note})
    for c, before in changed:
        after = {"status": c.status, "note": c.note}
        record(by, "supply.check.correct", c, changes={"week": str(week), "before": before, "after": after})
    return new + [c for c, _b in changed]


def record_check(
    *, institution: Institution, award: Award, week: date, status: str, note: str = "", by, at=None
) -> SupplyCheck:
    """One award's answer for a week (see `record_week`)."""
    written = record_week(institution=institution, week=week, answers=[Answer(award, status, note)], by=by, at=at)
    return written[0] if written else SupplyCheck.objects.get(institution=institution, award=award, week=week)


# Reminders

REMINDER_SUBJECT = gettext_noop("请填报 %(week)s 当周中选药品供应情况")
REMINDER_BODY = gettext_noop(
    "%(institution)s：\n\n贵单位 %(week)s 至 %(end)s 当周尚有 %(missing)d 个中选药品未填报供应情况（正常/紧张/断供）。"
    "请登录国家组织药品集中带量采购管理系统，在“供应情况周报”中填报。\n\n国家组织药品集中带量采购管理系统"
)


def remind_missing_checks(*, on: date) -> int:
    """For the ISO week that contains `on`, remind every participating institution that has not checked every
    award it holds volume for: one reminder in the system per institution and week (a second call the same week
    creates none), and an e-mail to the institution's address and its users' addresses where they have one.
    Returns how many reminders were created."""
    from django.core.mail import send_mass_mail

    week = rules.week_of(on)
    institutions = participating(Institution.objects.all())
    with transaction.atomic():
        held = held_awards(institutions, week)
        checked = checked_awards(institutions, week)
        done = set(SupplyReminder.objects.filter(week=week).values_list("institution_id", flat=True))
        gaps = {
            i: len(rules.missing_awards(awards, set(checked.get(i, {})))) for i, awards in held.items() if i not in done
        }
        gaps = {i: n for i, n in gaps.items() if n}
        if not gaps:
            return 0
        targets = Institution.objects.filter(pk__in=gaps).order_by("code")
        addresses = _addresses(gaps)
        at = timezone.now()
        reminders = [
            SupplyReminder(
                institution=inst,
                week=week,
                missing=gaps[inst.pk],
                at=at,
                emailed_to=", ".join(addresses.get(inst.pk, []))[:500],
            )
            for inst in targets
        ]
        try:
            with transaction.atomic():
                SupplyReminder.objects.bulk_create(reminders)
        except IntegrityError:  # another run is reminding the same week right now: it sends them
            return 0
        for r in reminders:
            record(None, "supply.remind", r, changes={"week": str(week), "missing": r.missing, "to": r.emailed_to})
    mails = []
    for r in reminders:
        to = addresses.get(r.institution_id)
        if to:
            words = {
                "institution": r.institution.name,
                "week": week,
                "end": rules.week_end(week),
                "missing": r.missing,
            }
            mails.append((_(REMINDER_SUBJECT) % words, _(REMINDER_BODY) % words, None, to))
    if mails:
        send_mass_mail(mails, fail_silently=True)
    return len(reminders)


def _addresses(institution_ids) -> dict[int, list[str]]:
    """institution id → where its reminders go: the institution's notification address and its active clerks'
    and managers' own addresses, without repeats."""
    out: dict[int, list[str]] = {}
    for pk, email in Institution.objects.filter(pk__in=institution_ids).exclude(email="").values_list("pk", "email"):
        out.setdefault(pk, []).append(email)
    users = (
        get_user_model()
        .objects.filter(
            membership__institution_id__in=institution_ids,
            membership__role__in=(Membership.Role.CLERK, Membership.Role.MANAGER),
            is_active=True,
        )
        .exclude(email="")
        .values_list("membership__institution_id", "email")
        .order_by("email")
    )
    for pk, email in users:
        if email not in out.setdefault(pk, []):
            out[pk].append(email)
    return out


# Shortage cases


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SupplyError(_(TEXT_NEEDED) % {"what": what})
    return value


def _day(value: date | None, at: datetime | None = None) -> date:
    today = timezone.localdate(at) if at else timezone.localdate()
    value = value or today
    if value > today:
        raise SupplyError(_(FUTURE_DATE))
    return value


@transaction.atomic
def open_case(
    *,
    award: Award,
    by,
    description: str,
    kind: str = ShortageCase.Kind.OUT,
    institution: Institution | None = None,
    region: Region | None = None,
    opened_on: date | None = None,
) -> ShortageCase:
    """An institution reports a shortage of an award it holds (for itself); a bureau opens one for its region
    (or a region below it), optionally naming an institution there. The case is against the award's
    manufacturer, which must answer."""
    m = _membership(by)
    if m is not None and m.institution_id:
        check_institution_writer(by, m.institution)
        institution, region = m.institution, m.institution.region
    else:
        region = region or (institution.region if institution else (m.region if m and m.region_id else None))
        if region is None:
            raise PermissionDenied
        check_bureau_writer(by, region)
        if institution is not None and not institution.region.path.startswith(region.path):
            raise SupplyError(_(INSTITUTION_OUTSIDE))
    if not region.path.startswith(award.province.path):
        raise SupplyError(_(AWARD_OUTSIDE))
    if kind not in ShortageCase.Kind.values:
        raise SupplyError(_(BAD_STATUS))
    case = ShortageCase.objects.create(
        award=award,
        company=award.product.manufacturer,
        region=region,
        institution=institution,
        kind=kind,
        opened_on=_day(opened_on),
        description=_text(description, _("情况说明")),
        opened_by=_actor(by),
    )
    record(by, "supply.case.open", case, changes={"award": award.pk, "institution": getattr(institution, "code", "")})
    return case


def _locked(case: ShortageCase) -> ShortageCase:
    case = ShortageCase.objects.select_for_update().get(pk=case.pk)
    if case.status == ShortageCase.Status.CLOSED:
        raise SupplyError(_(CASE_CLOSED))
    return case


@transaction.atomic
def answer_case(*, case: ShortageCase, by, answer: str, cause: str = "", answered_on: date | None = None):
    """The awarded manufacturer answers: what happened, why, and when supply resumes. It may answer again (the
    latest answer stands) until the bureau closes the case."""
    check_company_writer(by, case.company)
    case = _locked(case)
    case.answer = _text(answer, _("答复内容"))
    case.cause = (cause or "").strip() or case.cause
    case.answered_on = _day(answered_on)
    case.answered_by = _actor(by)
    case.status = ShortageCase.Status.ANSWERED
    case.save()
    record(by, "supply.case.answer", case, changes={"cause": case.cause, "answered_on": str(case.answered_on)})
    return case


@transaction.atomic
def close_case(
    *, case: ShortageCase, by, conclusion: str, force_majeure: bool, cause: str = "", closed_on: date | None = None
) -> ShortageCase:
    """The bureau of the case's region (or above) closes it and decides the cause: when it was not force majeure,
    the extra cost of the substitutes is charged to the company."""
    check_bureau_writer(by, case.region)
    case = _locked(case)
    case.conclusion = _text(conclusion, _("处理结论"))
    case.cause = (cause or "").strip() or case.cause
    if not case.cause:
        raise SupplyError(_(TEXT_NEEDED) % {"what": _("原因")})
    case.force_majeure = bool(force_majeure)
    case.closed_on = _day(closed_on)
    case.closed_by = _actor(by)
    case.status = ShortageCase.Status.CLOSED
    case.save()
    charged = sum((s.extra_cost for s in case.substitutes.all()), Decimal("0.00"))
    record(
        by,
        "supply.case.close",
        case,
        changes={
            "force_majeure": case.force_majeure,
            "cause": case.cause,
            "charged": str(rules.charged_to_company(extra=charged, force_majeure=case.force_majeure)),
        },
        reason=case.conclusion,
    )
    return case


def parse_price(text) -> Decimal:
    try:
        price = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise SupplyError(_(BAD_PRICE)) from None
    if not price.is_finite() or price <= 0 or price.as_tuple().exponent < -4:
        raise SupplyError(_(BAD_PRICE))
    return price


def parse_quantity(text) -> int:
    try:
        quantity = int(str(text).strip())
    except ValueError:
        raise SupplyError(_(BAD_QUANTITY)) from None
    if quantity <= 0:
        raise SupplyError(_(BAD_QUANTITY))
    return quantity


@transaction.atomic
def add_substitute(
    *,
    case: ShortageCase,
    by,
    description: str,
    unit_price: Decimal | str,
    quantity: int | str,
    bought_on: date,
    institution: Institution | None = None,
) -> SubstitutePurchase:
    """A substitute bought during the shortage: by the case's institution (its own purchase) or recorded by the
    bureau for an institution of the case's region. The extra cost is (substitute price − winning price) ×
    quantity, kept with the winning price of the day."""
    m = _membership(by)
    if m is not None and m.institution_id:
        if case.institution_id != m.institution_id:
            raise PermissionDenied
        check_institution_writer(by, m.institution)
        institution = m.institution
    else:
        check_bureau_writer(by, case.region)
        institution = institution or case.institution
        if institution is None:
            raise SupplyError(_(TEXT_NEEDED) % {"what": _("采购机构")})
        if not institution.region.path.startswith(case.region.path):
            raise SupplyError(_(INSTITUTION_OUTSIDE))
    case = _locked(case)
    price, qty = parse_price(unit_price), parse_quantity(quantity)
    bought_on = _day(bought_on)
    if bought_on < case.opened_on:
        raise SupplyError(_(BOUGHT_BEFORE_CASE) % {"opened": case.opened_on})
    winning = case.award.winning_price
    purchase = SubstitutePurchase.objects.create(
        case=case,
        institution=institution,
        description=_text(description, _("替代药品")),
        unit_price=price,
        winning_price=winning,
        quantity=qty,
        bought_on=bought_on,
        extra_cost=rules.extra_cost(substitute_price=price, winning_price=winning, quantity=qty),
        recorded_by=_actor(by),
    )
    record(
        by,
        "supply.substitute.add",
        purchase,
        changes={"case": case.pk, "unit_price": str(price), "quantity": qty, "extra_cost": str(purchase.extra_cost)},
    )
    return purchase
