# Two commands for a fresh clone: `make run` (demo on the sandbox) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV_ENV := DEBUG=1

.PHONY: run test install install-dev lint format typecheck messages benchmark fault-drill worker clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Install, migrate, (re)load the demo studio and serve it at http://127.0.0.1:$(PORT)
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo --history
	@echo "Portal: http://127.0.0.1:$(PORT)/s/demo/   Admin: http://127.0.0.1:$(PORT)/admin/ (admin / admin)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole test suite (unit, contract, views and browser tests)
test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Type-check the product code (mypy; strict on portal/perfectgym, see pyproject.toml)
typecheck: install-dev
	$(VENV)/bin/mypy

APPS := trialoffers selfservice bookings
# Every language with a catalog (the ones a studio can enable are in settings.LANGUAGES).
LANGS := de en fr it nl es pl

## Extract and compile translations (needs GNU gettext): the portal's catalog in locale/, each app's in <app>/locale/
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages $(foreach lang,$(LANGS),-l $(lang)) --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=var --ignore=tests $(foreach app,$(APPS),--ignore=$(app))
	for app in $(APPS); do (cd $$app && $(DEV_ENV) DJANGO_SETTINGS_MODULE=portal.settings PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(VENV)/bin/django-admin makemessages $(foreach lang,$(LANGS),-l $(lang)) --no-obsolete); done
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

## Speed: gunicorn on the sandbox with injected latency, driven from a second process (see README)
benchmark: install
	$(PY) scripts/benchmark.py $(BENCHMARK_ARGS)

## Availability through upstream faults: the fault drill on a throwaway database (see README)
fault-drill: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  PORTAL_VAR_DIR="$$tmp" $(DEV_ENV) $(PY) manage.py migrate --noinput -v 0 && \
	  PORTAL_VAR_DIR="$$tmp" $(DEV_ENV) $(PY) manage.py fault_drill $(DRILL_ARGS)

## Background worker for emails when TASKS_MODE=database
worker: install
	$(PY) manage.py db_worker

clean:
	rm -rf $(VENV) staticfiles var

## The reference deployment: nginx (microcache) in front of two gunicorn instances on PostgreSQL and Redis (see README)
.PHONY: deploy-local
deploy-local: install
	$(PY) scripts/deploy_local.py $(DEPLOY_ARGS)
