# Two entry points: `make run` and `make test`. Both build everything from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions of every dependency (made by uv from pyproject.toml; `make lock` refreshes it).
LOCK := requirements.lock
APT_STAMP := .apt-installed
APT_PACKAGES := chromium fonts-noto-cjk poppler-utils libreoffice-writer-nogui
PORT ?= 8501
# The app listens on the loopback interface only; `make run ADDRESS=0.0.0.0` serves the network.
ADDRESS ?= 127.0.0.1

.PHONY: run test lint typecheck bench setup system clean lock

setup: system $(STAMP)

# System packages: Chromium (kaleido image export, browser tests), a CJK font
# (Chinese glyphs in charts and screenshots), poppler (PDF previews) and
# LibreOffice (legacy .doc/.wps conversion). Skipped when already present.
system:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	   && command -v pdftoppm >/dev/null && command -v soffice >/dev/null; then \
	  echo "system packages present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

# The versions the tests passed with (the lock), then the project itself without resolving again;
# `pip check` stops here when pyproject.toml names a dependency the lock lacks (run `make lock`).
$(STAMP): pyproject.toml $(LOCK)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check || { echo "requirements.lock does not match pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

# Refresh the lock after a change of pyproject.toml: pinned versions are kept where they still fit
# (uv reads the old lock as preferences); `make lock UPGRADE=1` moves everything to the newest.
lock:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 $(if $(UPGRADE),--upgrade) -o $(LOCK)

run: setup
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) --browser.gatherUsageStats false

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Type check of parsing/ and library/ (settings in pyproject.toml, [tool.mypy]).
typecheck: $(STAMP)
	$(BIN)/python -m mypy

# Benchmarks (scripts, not timed tests); figures are written down in the README.
bench: setup
	$(BIN)/python scripts/bench_parse.py
	$(BIN)/python scripts/bench_formats.py
	$(BIN)/python scripts/bench_library.py
	$(BIN)/python scripts/bench_ingest.py
	$(BIN)/python scripts/bench_ui.py
	$(BIN)/python scripts/bench_browser.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
