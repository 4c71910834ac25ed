from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "jicai.policy"
    label = "policy"
    verbose_name = _("政策与日历")
