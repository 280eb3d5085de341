"""The trial offer journey and check-in vouchers: thin views over ``trialoffers.services``.

Every page here works without cookies and without JavaScript (state travels in signed tokens, see
tokens.py); POSTs are ``csrf_exempt`` and checked by token plus Origin instead (guards.py). With
htmx, day switching swaps only the slot list and forms swap only themselves.

By topic: ``journey`` (choose, pick a time, register, confirm, done) and ``vouchers``; ``common``
holds what both use.
"""
