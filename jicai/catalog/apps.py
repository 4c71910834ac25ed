from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "jicai.catalog"
    label = "catalog"
    verbose_name = _("中选药品目录")
