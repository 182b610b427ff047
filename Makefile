# make run | make test | make bench  -- each sets up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test bench lint clean

install: $(VENV)/.installed web/static/vendor/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# bpmn-js and Swagger UI, pinned in web/package-lock.json, served from our static folder.
web/static/vendor/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser assets (bpmn-js, Swagger UI)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf web/static/vendor && mkdir -p web/static/vendor/bpmn-js web/static/vendor/swagger-ui
	cp web/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   web/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js web/static/vendor/bpmn-js/
	cp -r web/node_modules/bpmn-js/dist/assets web/static/vendor/bpmn-js/
	cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   web/node_modules/swagger-ui-dist/swagger-ui.css web/static/vendor/swagger-ui/
	@touch $@

run: install
	$(BIN)/varnapot db upgrade
	$(BIN)/varnapot deploy processes/
	$(BIN)/varnapot users demo
	$(BIN)/varnapot run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m engine.bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache web/node_modules web/static/vendor
