"""The REST API (SPEC §6) under /api/: one router for the scoped record kinds, plus the answers and writes that
are not plain records (progress, payment status, the monthly report form, imports), the OpenAPI schema and its
server-rendered documentation page."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from jicai.catalog.api import AwardDistributorViewSet, AwardViewSet, BatchViewSet, ProductViewSet
from jicai.core import api_views
from jicai.monitoring.api import WarningViewSet
from jicai.orgs.api import CompanyViewSet, InstitutionViewSet, RegionViewSet
from jicai.purchasing.api import (
    DeliveryViewSet,
    InvoiceLineViewSet,
    InvoiceViewSet,
    OrderViewSet,
    PaymentStatusView,
    PaymentViewSet,
    UsageViewSet,
)
from jicai.reports.api import MonthlyReportViewSet, ReportFormView, ReportRevisionViewSet, ReportSubmitView
from jicai.supply.api import RecordCheckView, ShortageCaseViewSet, SupplyCheckViewSet
from jicai.volumes.api import AgreedVolumeChangeViewSet, AgreedVolumeViewSet, BaselineViewSet, ProgressView

app_name = "api"

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("companies", CompanyViewSet, basename="company")
router.register("batches", BatchViewSet, basename="batch")
router.register("products", ProductViewSet, basename="product")
router.register("awards", AwardViewSet, basename="award")
router.register("award-distributors", AwardDistributorViewSet, basename="award-distributor")
router.register("baselines", BaselineViewSet, basename="baseline")
router.register("agreed-volumes", AgreedVolumeViewSet, basename="agreed-volume")
router.register("agreed-volume-changes", AgreedVolumeChangeViewSet, basename="agreed-volume-change")
router.register("orders", OrderViewSet, basename="order")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("invoice-lines", InvoiceLineViewSet, basename="invoice-line")
router.register("payments", PaymentViewSet, basename="payment")
router.register("usage", UsageViewSet, basename="usage")
router.register("warnings", WarningViewSet, basename="warning")
router.register("monthly-reports", MonthlyReportViewSet, basename="monthly-report")
router.register("report-revisions", ReportRevisionViewSet, basename="report-revision")
router.register("supply-checks", SupplyCheckViewSet, basename="supply-check")
router.register("shortage-cases", ShortageCaseViewSet, basename="shortage-case")

urlpatterns = [
    path("schema/", api_views.SchemaView.as_view(), name="schema"),
    path("docs/", api_views.docs, name="docs"),
    path("progress/", ProgressView.as_view(), name="progress"),
    path("payment-status/", PaymentStatusView.as_view(), name="payment-status"),
    path("imports/", api_views.ImportView.as_view(), name="imports"),
    path("supply-checks/record/", RecordCheckView.as_view(), name="supply-check-record"),
    path("monthly-reports/<str:code>/<str:month>/", ReportFormView.as_view(), name="monthly-report-form"),
    path("monthly-reports/<str:code>/<str:month>/submit/", ReportSubmitView.as_view(), name="monthly-report-submit"),
    *router.urls,
    # Last: an unknown path ending in "/" is the API's JSON 404 (without the slash, Django first redirects to it).
    re_path(r"^(?P<path>.+)/$", api_views.not_found, name="not-found"),
]
