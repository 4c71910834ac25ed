from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "jicai.purchasing"
    label = "purchasing"
    verbose_name = _("采购、配送与回款")

    def ready(self):
        # Connects the receivers that keep the invoices' due dates and paid-off days current.
        from jicai.purchasing import due, paid_off  # noqa: F401
