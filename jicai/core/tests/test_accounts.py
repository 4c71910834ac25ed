"""Password rules, lockout after repeated failed logins, session expiry, the password change page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from jicai.core.models import AuditEvent, LoginFailure, LoginLock
from jicai.core.testing import make_institution, make_region, make_user

PASSWORD = "pw-Jicai-2020"  # make_user's


@pytest.mark.parametrize("password", ["jicai-demo-2020", PASSWORD, "Weihai2020Bureau"])
def test_good_passwords_pass(password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("jicai2020", "password_too_short"),
        ("onlyletterspassword", "password_letters_and_digits"),
        ("2020112320201123", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert code in [e.code for e in excinfo.value.error_list]


@pytest.fixture
def hospital_user(db):
    inst = make_institution(make_region("370000"))
    return make_user(inst, username="whsl_clerk")


def _fail(client, username="whsl_clerk", ip="10.0.0.1", times=1):
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong-password-1"}, REMOTE_ADDR=ip)
    return response


def test_five_failures_lock_the_username_with_a_clear_message(client, hospital_user):
    limit = settings.LOGIN_FAILURE_LIMIT
    response = _fail(client, times=limit - 1)
    assert "请输入一个正确的" in response.content.decode() or response.status_code == 200
    assert not LoginLock.objects.exists()
    response = _fail(client)
    assert "已被暂时锁定" in response.content.decode()
    # the right password is refused while locked, from another address too, and by Client.login (the backend)
    response = client.post("/login/", {"username": "whsl_clerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200 and "已被暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not client.login(username="whsl_clerk", password=PASSWORD)
    assert LoginLock.objects.get().key == "user:whsl_clerk"
    event = AuditEvent.objects.get(action="account.lock")
    assert event.model == "auth.user" and event.changes["failures"] == limit
    assert event.institution_id == hospital_user.membership.institution_id  # the hospital's bureau can read it


def test_a_success_starts_the_count_again(client, hospital_user):
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT - 1)
    assert client.login(username="whsl_clerk", password=PASSWORD)
    client.logout()
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT - 1)
    assert not LoginLock.objects.exists()
    assert client.login(username="whsl_clerk", password=PASSWORD)


def test_a_lock_runs_out(client, hospital_user):
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT)
    LoginLock.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert client.login(username="whsl_clerk", password=PASSWORD)


def test_old_failures_do_not_count(client, hospital_user):
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT - 1)
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1))
    _fail(client)
    assert not LoginLock.objects.exists()
    assert LoginFailure.objects.count() == 1  # the old ones are gone


def test_one_address_guessing_many_usernames_is_locked(client, hospital_user):
    limit = settings.LOGIN_FAILURE_LIMIT * 4
    for n in range(limit):
        _fail(client, username=f"guess{n}", ip="10.9.9.9")
    assert LoginLock.objects.filter(key="ip:10.9.9.9").exists()
    response = client.post("/login/", {"username": "whsl_clerk", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert "已被暂时锁定" in response.content.decode()
    response = client.post("/login/", {"username": "whsl_clerk", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 302


def test_unlock_command_lifts_the_lock_and_leaves_an_audit_row(client, hospital_user, capsys):
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT)
    call_command("unlock", "--list")
    assert "user:whsl_clerk" in capsys.readouterr().out
    call_command("unlock", "whsl_clerk")
    assert "已解除 1 个锁定" in capsys.readouterr().out
    assert not LoginLock.objects.exists()
    assert AuditEvent.objects.filter(action="account.unlock", key=str(hospital_user.pk)).exists()
    assert client.login(username="whsl_clerk", password=PASSWORD)


def test_admin_action_unlocks(client, hospital_user):
    _fail(client, times=settings.LOGIN_FAILURE_LIMIT)
    admin = make_user(superuser=True, username="root")
    client.force_login(admin)
    lock = LoginLock.objects.get()
    response = client.post("/admin/core/loginlock/", {"action": "lift", "_selected_action": [lock.pk]}, follow=True)
    assert response.status_code == 200
    assert not LoginLock.objects.exists()
    assert AuditEvent.objects.get(action="account.unlock").user == admin


def test_the_session_ends_with_the_browser_and_after_a_working_day(client, hospital_user):
    response = client.post("/login/", {"username": "whsl_clerk", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expiry_age() <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_password_change_checks_the_rules_and_is_audited(client, hospital_user):
    client.force_login(hospital_user)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "shortpw", "new_password2": "shortpw"},
    )
    assert response.status_code == 200 and "密码" in response.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Weihai2021Clerk", "new_password2": "Weihai2021Clerk"},
    )
    assert response.status_code == 302
    hospital_user.refresh_from_db()
    assert hospital_user.check_password("Weihai2021Clerk")
    assert AuditEvent.objects.filter(action="account.password", user=hospital_user).exists()


def test_password_page_needs_a_login(client, db):
    assert client.get("/accounts/password/").status_code == 302
