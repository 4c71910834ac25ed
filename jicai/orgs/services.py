"""Writes to organisations and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from jicai.core.audit import record
from jicai.orgs.models import Company, Institution, Membership, Region


@transaction.atomic
def add_member(
    *,
    username: str,
    password: str,
    organisation: Region | Institution | Company | None,
    role: str = Membership.Role.VIEWER,
    body: str = "",
    email: str = "",
    superuser: bool = False,
    by=None,
):
    """A user of one organisation with one role (SPEC §1); no organisation only for a system administrator."""
    if organisation is None and not superuser:
        raise ValueError("每个用户必须属于一个机构（医保局/卫健委、医疗机构或企业）")
    user = get_user_model().objects.create_user(
        username=username, password=password, email=email, is_superuser=superuser, is_staff=superuser
    )
    if organisation is not None:
        kind = {Region: "region", Institution: "institution", Company: "company"}[type(organisation)]
        Membership.objects.create(
            user=user,
            role=role,
            body=(body or Membership.Body.BUREAU) if kind == "region" else "",
            **{kind: organisation},
        )
    record(by, "user.add", user, changes={"organisation": str(organisation), "role": role})
    return user
