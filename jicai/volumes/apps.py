from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolumesConfig(AppConfig):
    name = "jicai.volumes"
    label = "volumes"
    verbose_name = _("约定采购量")
