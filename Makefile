# The two commands of the README quick start: `make site` and `make test`.
# Both set up what they need first (a virtualenv in .venv; for tests, Debian's
# chromium and poppler-utils via apt-get when missing and run as root).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test setup system-deps serve clean

site: setup
	$(BIN)/dossier build

test: setup system-deps
	$(BIN)/python -m pytest -q

serve: setup
	$(BIN)/dossier serve

setup: $(VENV)/.installed

# An editable install of a package whose theme folder is mapped into it (pyproject.toml)
# is one setuptools makes with an import hook, and says so in ten lines of notice on
# every install: that notice, and only it, is silenced.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install -q -e '.[test]'
	touch $@

# Browser and PDF tests use Debian's chromium (never a downloaded browser) and poppler;
# `dossier pdf` (WeasyPrint) needs Pango, and the print stylesheet's fonts.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fonts-liberation fonts-dejavu-core; \
	  else echo "missing:$$missing (run as root, or: sudo apt-get install$$missing)"; fi; \
	fi

clean:
	rm -rf build/* .pytest_cache
