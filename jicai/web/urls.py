from django.contrib.auth import views as auth_views
from django.urls import path

from jicai.core.accounts import LoginForm
from jicai.web import company_views, dashboard_views, uploads, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only (Django ≥ 5.0)
    path("institutions/<str:code>/", views.institution_detail, name="institution_detail"),
    path("institutions/<str:code>/awards/<int:pk>/", views.institution_award, name="institution_award"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("invoices/<str:invoice_no>/", views.invoice_detail, name="invoice_detail"),
    path("orders/<str:order_id>/", views.order_detail, name="order_detail"),
    path("import/", uploads.import_file, name="import_file"),
    path("import/records/", uploads.import_records, name="import_records"),
    path("import/records.<slug:fmt>", uploads.import_records_export, name="import_records_export"),
    path("import/records/<int:pk>/", uploads.import_record, name="import_record"),
    path("company/export/<slug:table>.<slug:fmt>", company_views.company_export, name="company_export"),
    path("dashboard/", dashboard_views.region_dashboard, name="dashboard"),
    path(
        "dashboard/export/<slug:table>.<slug:fmt>",
        dashboard_views.region_dashboard_export,
        name="dashboard_export",
    ),
]
