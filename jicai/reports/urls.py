from django.urls import path

from jicai.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_month, name="open"),
    path("status/", views.status, name="status"),
    path("status/remind/", views.remind_view, name="remind"),
    path("<str:code>/<str:month>/", views.detail, name="detail"),
    path("<str:code>/<str:month>/download/", views.download, name="download"),
    path("<str:code>/<str:month>/upload/", views.upload, name="upload"),
    path("<str:code>/<str:month>/upload/confirm/", views.upload_confirm, name="upload_confirm"),
    path("<str:code>/<str:month>/review/", views.review, name="review"),
    path("<str:code>/<str:month>/revisions/<int:number>/", views.revision, name="revision"),
]
