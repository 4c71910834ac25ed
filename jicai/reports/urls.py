from django.urls import path

from jicai.reports import bulletin_views, views

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

# Bulletins (通报) and quarterly payment audits. Three or more segments (or one) so that they never meet the
# "<code>/<month>/" paths above.
urlpatterns += [
    path("bulletins/", bulletin_views.bulletins, name="bulletins"),
    path("bulletins/draft/new/", bulletin_views.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/show/", bulletin_views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/show/xlsx/", bulletin_views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:pk>/show/publish/", bulletin_views.bulletin_publish, name="bulletin_publish"),
    path("audits/", bulletin_views.audit_list, name="audits"),
    path("audits/run/new/", bulletin_views.audit_new, name="audit_new"),
    path("audits/<int:pk>/show/", bulletin_views.audit, name="audit"),
    path("audits/<int:pk>/show/xlsx/", bulletin_views.audit_xlsx, name="audit_xlsx"),
]
