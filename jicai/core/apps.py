from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jicai.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.backends.signals import connection_created

        from jicai.core import accounts, data_version

        user_login_failed.connect(accounts.on_login_failed, dispatch_uid="jicai.core.accounts.failed")
        user_logged_in.connect(accounts.on_logged_in, dispatch_uid="jicai.core.accounts.logged_in")
        connection_created.connect(data_version.watch_writes, dispatch_uid="jicai.core.data_version")
