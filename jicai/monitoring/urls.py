from django.urls import path

from jicai.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("ledger/", views.ledger_page, name="ledger"),
    path("ledger/write/", views.ledger_write, name="ledger_write"),
    path("deductions/", views.deductions_page, name="deductions"),
    path("deductions/propose/", views.deductions_propose, name="deductions_propose"),
    path("deductions/<int:pk>/", views.deduction_detail, name="deduction"),
    path("deductions/<int:pk>/confirm/", views.deduction_confirm, name="deduction_confirm"),
]
