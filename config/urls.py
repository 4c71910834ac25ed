from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("volumes/", include("jicai.volumes.urls")),
    path("reports/", include("jicai.reports.urls")),
    path("supply/", include("jicai.supply.urls")),
    path("monitoring/", include("jicai.monitoring.urls")),
    path("accounts/", include("jicai.core.urls")),
    path("api/", include("config.api_urls")),
    path("", include("jicai.web.urls")),
]
