"""Error pages: the portal's look, the visitor's language, the right status code."""

from __future__ import annotations

from django.test import Client

from portal import views


def test_404_in_german_and_english(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Seite nicht gefunden</h1>" in html
    assert 'class="site-header"' in html
    assert "Page not found" in client.get("/no/such/page/?lang=en").content.decode()


def test_404_below_a_studio_keeps_the_studio_look(client, demo_studio):
    response = client.get("/s/demo/no-such-area/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_400_for_a_bad_host(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


def test_403_page(rf, db):
    response = views.permission_denied(rf.get("/"))
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.content.decode()


def test_500_page_needs_no_database(rf, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Etwas ist schiefgegangen" in html
    assert "/static/portal/portal.css" in html


def test_csrf_failure_page(demo_studio):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/s/demo/?lang=en", {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please try again" in html
    assert "Demo Fitness Berlin" in html  # the studio's look, not Django's yellow page
    assert response["Content-Security-Policy"]
