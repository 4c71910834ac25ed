from django.urls import path

from jicai.volumes import views

app_name = "volumes"

urlpatterns = [
    path("", views.volume_list, name="list"),
    path("allocate/", views.allocate, name="allocate"),
    path("allocate/export/", views.export, name="export"),
    path("reallocate/", views.reallocate_view, name="reallocate"),
    path("history/<int:award>/<str:institution>/<int:year_no>/", views.history, name="history"),
]
