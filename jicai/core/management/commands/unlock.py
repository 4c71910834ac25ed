"""jicai unlock USER [--ip ADDR] | jicai unlock --list: lift a login lockout before it runs out."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jicai.core.accounts import unlock
from jicai.core.models import LoginLock

NOTHING = "未指定用户名或地址"
UNLOCKED = "已解除 {count} 个锁定"
NONE_LOCKED = "当前没有锁定"


class Command(BaseCommand):
    help = "解除连续登录失败造成的账号或地址锁定（系统管理员操作，记入审计记录）"

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="用户名")
        parser.add_argument("--ip", help="解除该地址的锁定")
        parser.add_argument("--list", action="store_true", help="列出当前的锁定")

    def handle(self, *args, username, ip, list, **options):
        if list:
            locks = LoginLock.objects.filter(until__gt=timezone.now()).order_by("until")
            for lock in locks:
                self.stdout.write(f"{lock.key}\t{timezone.localtime(lock.until):%Y-%m-%d %H:%M}\t{lock.failures}")
            if not locks:
                self.stdout.write(NONE_LOCKED)
            return
        if not username and not ip:
            raise CommandError(NOTHING)
        count = unlock(username=username, ip=ip, by=None)
        self.stdout.write(UNLOCKED.format(count=count))
