# The two commands of the README: `make run` and `make test`. Each sets up what it needs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The message catalogues: translators edit the .po, the app reads the .mo compiled from it.
CATALOGUES := $(wildcard feedsvc/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test test-sqlite test-postgres setup messages clean

setup: $(VENV)/.installed $(CATALOGUES:.po=.mo)

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing our strings: extract them (babel.cfg) and bring every messages.po up to date.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -c Translators: --add-location=file -o feedsvc/translations/messages.pot .
	$(BIN)/pybabel update -i feedsvc/translations/messages.pot -d feedsvc/translations --no-fuzzy-matching --ignore-pot-creation-date

# Embedded defaults: SQLite in instance/, mail to instance/outbox/, the demo articles.
# One worker (scheduler + sender) runs beside the web server and stops with it.
# The public address is where this serves (PORT=5077 make run: port 5077, in the printed
# sign-in URL and in every link) unless FEEDSVC_BASE_URL is set.
run: setup
	export FEEDSVC_BASE_URL="$${FEEDSVC_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(BIN)/feedsvc bootstrap && { \
	  $(BIN)/feedsvc worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/feedsvc run --host $(HOST) --port $(PORT); }

# SQLite always; PostgreSQL too when FEEDSVC_TEST_POSTGRES_URL names a server (.ci/run sets it).
test: setup
	env -u FEEDSVC_TEST_POSTGRES_URL $(BIN)/pytest -q
	@if [ -n "$$FEEDSVC_TEST_POSTGRES_URL" ]; then \
	  echo "== again on PostgreSQL"; $(BIN)/pytest -q; \
	else echo "FEEDSVC_TEST_POSTGRES_URL unset: PostgreSQL run skipped (.ci/run sets it)"; fi

clean:
	rm -rf $(VENV) build *.egg-info feedsvc/translations/*/LC_MESSAGES/messages.mo
