from django.urls import path

from sandbox import views

urlpatterns = [
    path("sandbox/<slug:slug>/v1/<path:path>", views.http_api, name="sandbox-api"),
]
