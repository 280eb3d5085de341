"""Member self-service pages, by topic: thin views over ``selfservice.services``.

Every member URL goes through ``member_required`` (signed in to this studio) and
an ownership check in the service (``NotOwned`` -> 404) before any upstream call
uses an id from the URL or the form. The services raise only the app's own errors.
"""
