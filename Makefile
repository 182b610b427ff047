# make run | make test | make bench  -- each sets up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install assets run test bench bench-scale lint clean messages

# The words people read, per language under web/translations: messages.po for the pages,
# procedures.po for the forms, tasks and deadlines of the procedures (English is their
# source, so only other languages have one). Each is compiled to a .mo next to it (not
# kept in git) whenever the .po changes.
CATALOGUES = $(wildcard web/translations/*/LC_MESSAGES/*.po)
EXTRACT = $(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 \
	--add-location=file --sort-by-file --project=varnapot --copyright-holder="Varna pot"

MODELER = web/static/vendor/modeler/modeler.js
DMN_VIEWER = web/static/vendor/dmn-js/dmn-viewer.js

install: $(VENV)/.installed assets $(CATALOGUES:.po=.mo)

# The browser assets alone: npm and esbuild, no Python (the container image builds these).
assets: web/static/vendor/.installed $(MODELER) $(DMN_VIEWER)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools' notes about editable installs are for package authors, not for you
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# bpmn-js, dmn-js and Swagger UI, pinned in web/package-lock.json, served from our static folder.
web/static/vendor/.installed: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser assets (bpmn-js, dmn-js, Swagger UI)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf web/static/vendor && mkdir -p web/static/vendor/bpmn-js web/static/vendor/swagger-ui \
	   web/static/vendor/dmn-js
	cp web/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   web/static/vendor/bpmn-js/
	cp -r web/node_modules/bpmn-js/dist/assets web/static/vendor/bpmn-js/
	cp -r web/node_modules/dmn-js/dist/assets web/static/vendor/dmn-js/
	cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   web/node_modules/swagger-ui-dist/swagger-ui.css web/static/vendor/swagger-ui/
	mkdir -p web/static/vendor/properties-panel
	cp web/node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css \
	   web/static/vendor/properties-panel/
	@touch $@

# The modeler with its properties panel, bundled from web/assets/modeler (see its README).
$(MODELER): web/static/vendor/.installed $(wildcard web/assets/modeler/*.js)
	cd web && node_modules/.bin/esbuild assets/modeler/index.js --bundle --minify \
	   --format=iife --global-name=VarnapotModeler --log-level=warning \
	   --outfile=static/vendor/modeler/modeler.js

# dmn-js's viewer, bundled as a production build (see web/assets/README.md).
$(DMN_VIEWER): web/static/vendor/.installed $(wildcard web/assets/dmn/*.js)
	cd web && node_modules/.bin/esbuild assets/dmn/index.js --bundle --minify --format=iife \
	   --define:process.env.NODE_ENV='"production"' --log-level=warning \
	   --outfile=static/vendor/dmn-js/dmn-viewer.js

web/translations/%.mo: web/translations/%.po | $(VENV)/.installed
	@$(BIN)/pybabel -q compile -i $< -o $@

# After adding or changing a string in web/, or a form, task or deadline text: collect
# them all into messages.pot and procedures.pot, bring every language's catalogues up to
# date, then translate what is new or marked fuzzy.
messages: $(VENV)/.installed
	$(EXTRACT) -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations \
	    --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/python -c 'from web.common.procedure_texts import write_template; \
	    write_template("web/translations/procedures.pot")'
	$(BIN)/pybabel update -D procedures -i web/translations/procedures.pot -d web/translations \
	    --ignore-obsolete --ignore-pot-creation-date --width=100
	@# Serbian Cyrillic is written from the Serbian Latin catalogues, then reviewed.
	if [ -d web/translations/sr_Latn ]; then $(BIN)/python -m web.common.cyrillic \
	    web/translations/sr_Latn/LC_MESSAGES web/translations/sr_Cyrl/LC_MESSAGES; fi

run: install
	$(BIN)/varnapot keys create --if-missing
	$(BIN)/varnapot db upgrade
	$(BIN)/varnapot deploy processes/
	@$(BIN)/varnapot users demo --url http://$(HOST):$(PORT)
	$(BIN)/varnapot serve --host $(HOST) --port $(PORT) --log-format text

test: install
	$(BIN)/ruff check .
	@start=$$(date +%s); $(BIN)/python -m pytest; status=$$?; \
	    echo "make test: pytest took $$(( $$(date +%s) - start )) s"; exit $$status

bench: install
	$(BIN)/python -m bench

# The pages on 10,000 and 100,000 instances (ARGS=--million adds a million: an hour, GBs).
bench-scale: install
	$(BIN)/python -m bench.scale $(ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache web/node_modules web/static/vendor
	rm -f web/translations/*/LC_MESSAGES/*.mo
