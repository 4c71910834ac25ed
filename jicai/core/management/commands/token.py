"""jicai token --user NAME: the user's API token (created on first use), alone on standard output."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "发放（或查看）用户的 API 令牌；--reset 作废旧令牌并发放新令牌"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="用户名")
        parser.add_argument("--reset", action="store_true", help="作废旧令牌，发放新令牌")

    def handle(self, *args, user, reset, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"找不到有效的用户：{user}")
        if reset:
            Token.objects.filter(user=account).delete()
        token, created = Token.objects.get_or_create(user=account)
        self.stdout.write(token.key)
        self.stderr.write(f"{'已发放新令牌' if created else '已有令牌'}：{account.username}")
