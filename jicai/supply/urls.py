from django.urls import path

from jicai.supply import views

app_name = "supply"

urlpatterns = [
    path("", views.index, name="index"),
    path("check/", views.check, name="check"),
    path("week/", views.week, name="week"),
    path("week/export.<slug:fmt>", views.week_export, name="week_export"),
    path("cases/", views.cases, name="cases"),
    path("cases/open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/answer/", views.case_answer, name="case_answer"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/substitutes/", views.case_substitute, name="case_substitute"),
    path("costs/", views.costs, name="costs"),
    path("costs/export.<slug:fmt>", views.costs_export, name="costs_export"),
    path("distributors/", views.distributors, name="distributors"),
    path("distributors/<int:pk>/remove/", views.distributor_remove, name="distributor_remove"),
]
