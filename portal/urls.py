from django.contrib import admin
from django.urls import include, path

from portal import metrics, views
from portal.admin_dashboard import dashboard_csv, dashboard_view

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("", views.studio_list, name="studio-list"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("embed.js", views.embed_script, name="embed-script"),
    # Before admin.site.urls, whose catch-all would answer these paths with its own 404.
    path("admin/dashboard/<int:studio_id>/", admin.site.admin_view(dashboard_view), name="studio-dashboard"),
    path(
        "admin/dashboard/<int:studio_id>/<slug:section>/<int:chart>.csv",
        admin.site.admin_view(dashboard_csv),
        name="studio-dashboard-csv",
    ),
    path("admin/", admin.site.urls),
    path("s/<slug:slug>/", views.studio_home, name="studio-home"),
    path("s/<slug:slug>/logo", views.studio_logo, name="studio-logo"),
    # Each app's urls.py holds its own paths, all under /s/<slug>/.
    path("", include("trialoffers.urls")),
    path("", include("selfservice.urls")),
    path("", include("bookings.urls")),
    path("", include("sandbox.urls")),
]
