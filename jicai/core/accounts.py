"""Sign-in protection: password rules, and lockout after repeated failed logins.

Failures live in the database (`LoginFailure`, `LoginLock`), so the count holds across gunicorn workers and
restarts. After LOGIN_FAILURE_LIMIT failures for one username within LOGIN_FAILURE_WINDOW seconds the username
is refused for LOGIN_LOCKOUT_SECONDS; an address that fails four times as often is refused as well (guessing
across many usernames). An administrator unlocks early with `jicai unlock USER` or the admin action.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jicai.core.audit import record
from jicai.core.models import LoginFailure, LoginLock

IP_FACTOR = 4  # an address may fail this many times as often as one username

LOCKED = _("连续登录失败次数过多，该账号已被暂时锁定，请在 {minutes} 分钟后再试，或请系统管理员解锁。")
NEEDS_LETTERS_AND_DIGITS = _("密码必须同时包含字母和数字。")
NOT_LOCKED = "用户“{username}”未被锁定"


class LettersAndDigitsValidator:
    """A password mixes letters and digits (with MinimumLengthValidator's ten characters)."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(NEEDS_LETTERS_AND_DIGITS, code="password_letters_and_digits")

    def get_help_text(self):
        return NEEDS_LETTERS_AND_DIGITS


def client_ip(request) -> str | None:
    """The caller's address: X-Real-IP set by nginx in production (docs/deploy.md), else the socket's."""
    if request is None:
        return None
    meta = request.META
    header = getattr(settings, "LOGIN_CLIENT_IP_HEADER", "")
    return (meta.get(header) if header else None) or meta.get("REMOTE_ADDR") or None


def _keys(username: str | None, ip: str | None) -> list[str]:
    keys = [f"user:{username.strip().lower()}"] if username else []
    return keys + ([f"ip:{ip}"] if ip else [])


def current_lock(username: str | None, ip: str | None) -> LoginLock | None:
    """The lock in force on this username or address, if any (the one that lasts longest)."""
    keys = _keys(username, ip)
    if not keys:
        return None
    return LoginLock.objects.filter(key__in=keys, until__gt=timezone.now()).order_by("-until").first()


def minutes_left(lock: LoginLock) -> int:
    return max(1, math.ceil((lock.until - timezone.now()).total_seconds() / 60))


@transaction.atomic
def record_failure(*, username: str | None, ip: str | None) -> LoginLock | None:
    """Count one failed sign-in; lock the username or the address when it reaches its limit."""
    if current_lock(username, ip) is not None:
        return None  # refused while locked: counting would only extend the lock
    username = (username or "").strip()[:150]
    LoginFailure.objects.create(username=username.lower(), ip=ip)
    now = timezone.now()
    since = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    LoginFailure.objects.filter(at__lte=since).delete()  # failures older than the window count for nothing
    recent = LoginFailure.objects.filter(at__gt=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    lock = None
    if username and (count := recent.filter(username=username.lower()).count()) >= limit:
        lock = _lock(f"user:{username.lower()}", until, count, ip=ip)
        LoginFailure.objects.filter(username=username.lower()).delete()
    if ip and (count := recent.filter(ip=ip).count()) >= limit * IP_FACTOR:
        lock = _lock(f"ip:{ip}", until, count, ip=ip)
        LoginFailure.objects.filter(ip=ip).delete()
    return lock


def _lock(key: str, until, failures: int, *, ip: str | None) -> LoginLock:
    lock, _created = LoginLock.objects.update_or_create(key=key, defaults={"until": until, "failures": failures})
    subject = _subject(key) or lock
    record(
        None, "account.lock", subject, changes={"key": key, "failures": failures, "until": until.isoformat(), "ip": ip}
    )
    return lock


def _subject(key: str):
    """The user a lock is about, so that the audit row lands in that user's organisation's trail."""
    if not key.startswith("user:"):
        return None
    return get_user_model().objects.filter(username__iexact=key[5:]).select_related("membership").first()


@transaction.atomic
def unlock(*, username: str | None = None, ip: str | None = None, by) -> int:
    """Lift the lock on a username or an address and forget its failures; returns the number of locks lifted."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    keys = _keys(username, ip)
    locks = list(LoginLock.objects.filter(key__in=keys))
    for lock in locks:
        record(by, "account.unlock", _subject(lock.key) or lock, changes={"key": lock.key})
    LoginLock.objects.filter(key__in=keys).delete()
    if username:
        LoginFailure.objects.filter(username=username.strip().lower()).delete()
    if ip:
        LoginFailure.objects.filter(ip=ip).delete()
    return len(locks)


def forget_failures(*, username: str) -> None:
    """A successful sign-in starts the count again."""
    LoginFailure.objects.filter(username=username.lower()).delete()


class LockoutBackend(ModelBackend):
    """Django's backend, refusing while the username or the caller's address is locked (forms, admin, API)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if current_lock(username, client_ip(request)) is not None:
            raise PermissionDenied  # stops the other backends; Django sends user_login_failed
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginForm(AuthenticationForm):
    """The sign-in form: says plainly when the account is locked instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            lock = current_lock(self.cleaned_data.get("username"), client_ip(self.request))
            if lock is not None:
                raise ValidationError(str(LOCKED).format(minutes=minutes_left(lock)), code="locked") from None
            raise


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    record_failure(username=username, ip=client_ip(request))


def on_logged_in(sender, request, user, **kwargs):
    forget_failures(username=user.get_username())
