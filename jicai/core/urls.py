from django.urls import path

from jicai.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
