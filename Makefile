# Advocacy: make demo · make test · make bench · make lint
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ADVOCACY_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test bench lint install clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/advocacy demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports
	ADVOCACY_ENV=test $(BIN)/advocacy makemigrations --check --dry-run
	ADVOCACY_ENV=production SECRET_KEY=check-deploy-$$(printf '%064d' 0 | tr 0 x)-k3y9Qz ALLOWED_HOSTS=advocacy.example.com \
		$(BIN)/advocacy check --deploy --fail-level WARNING

test: lint
	ADVOCACY_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

# The demo's main pages per role as PNGs in docs/screenshots/ (needs Debian's chromium).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
