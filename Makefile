# The two commands a newcomer needs: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 4410
export PORT

.PHONY: run test install assets lint bench bench-qa browser clean

run: install
	$(BIN)/voke-esm db upgrade
	$(BIN)/voke-esm bootstrap
	@echo "Serving the Voke ESM Sandbox on http://127.0.0.1:$(PORT)"
	@echo "Check it end to end (in another terminal): $(BIN)/voke-esm check --org acme"
	@# One worker (with threads) keeps the default in-memory rate limit exact.
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --workers 1 --threads 4 wsgi:app

test: install browser
	$(BIN)/ruff check .
	@if [ -z "$$VOKE_ESM_TEST_POSTGRES_URL" ]; then \
	  echo "NOTE: VOKE_ESM_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite is skipped"; \
	  echo "      (e.g. VOKE_ESM_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres make test)"; fi
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed assets

# Reproducible: every package pinned by requirements.lock.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@# gunicorn serves optimized (gunicorn.conf.py): its bytecode, made once, not per worker.
	$(BIN)/python -OO -m compileall -q -j 0 $(VENV)/lib voke_esm > /dev/null
	touch $@

# Front-end libraries come from npm (package-lock.json) and are copied, never committed.
assets: static/vendor/htmx.min.js static/vendor/swagger-ui/swagger-ui-bundle.js

static/vendor/htmx.min.js static/vendor/swagger-ui/swagger-ui-bundle.js &: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  node_modules/swagger-ui-dist/LICENSE static/vendor/swagger-ui/

# Browser tests drive Debian's Chromium; install it when missing and we may. They read axe-core
# (an npm devDependency, never served) from node_modules.
browser: node_modules/axe-core/axe.min.js
	@scripts/ensure-chromium

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(BIN)/ruff check .

bench: install
	@scripts/ensure-debian /usr/bin/wrk wrk "make bench (without it, a built-in load generator)" || true
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
	$(BIN)/python scripts/bench_simulation.py

# QA's bulk paths: a 10,000-plant seed import and journal pruning at 100,000 entries.
bench-qa: install
	$(BIN)/python scripts/bench_import.py --postgres-url $${VOKE_ESM_BENCH_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
	$(BIN)/python scripts/bench_journal_prune.py --postgres-url $${VOKE_ESM_BENCH_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .ruff_cache
