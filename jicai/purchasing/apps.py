from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "jicai.purchasing"
    label = "purchasing"
    verbose_name = _("采购、配送与回款")

    def ready(self):
        from jicai.purchasing import due  # noqa: F401  (connects the receivers that keep due dates current)
