"""Imports made by people, recorded: the web page and the API run a file through here, so that every check and
every import leaves an `ImportRecord` ("我的上传") with its counts and its first row errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jicai.core.import_rights import may_import
from jicai.core.imports import ImportResult, run_import
from jicai.core.models import ImportRecord


def organisation_of(user) -> dict:
    """The record's organisation fields for `user`: an institution (and its region), a region, a company, or none
    (a system administrator)."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return {}
    if membership.institution_id:
        return {"institution_id": membership.institution_id, "region_id": membership.institution.region_id}
    if membership.region_id:
        return {"region_id": membership.region_id}
    return {"company_id": membership.company_id}


def record(result: ImportResult, *, user, file_name: str) -> ImportRecord:
    return ImportRecord.objects.create(
        user=user,
        **organisation_of(user),
        kind=result.kind,
        file_name=file_name[: ImportRecord._meta.get_field("file_name").max_length],
        dry_run=result.dry_run,
        landed=result.landed,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        error_count=len(result.errors),
        errors=result.as_dict()["errors"][: ImportRecord.MAX_ERRORS],
    )


def import_file(
    kind: str, source, *, user, file_name: str, dry_run: bool = False, progress=None
) -> tuple[ImportResult, ImportRecord]:
    """Import `source` as `user` (who must be allowed this kind: `jicai.core.import_rights`) and record it."""
    if not may_import(user, kind):
        raise PermissionDenied
    result = run_import(kind, source, dry_run=dry_run, user=user, progress=progress)
    return result, record(result, user=user, file_name=file_name)
