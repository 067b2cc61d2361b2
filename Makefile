# dcx_crm developer commands; `make help` lists them. The repository root is the addon.
# Everything generated lives in $(DCX_CACHE), outside the repository.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

REPO := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
DCX_CACHE ?= $(HOME)/.cache/dcx_crm
PYTHON ?= python3
ODOO_SRC ?=
ODOO_GIT_URL ?= https://github.com/odoo/odoo
ODOO_BRANCH ?= 18.0
DB ?= dcx_crm_demo
HTTP_PORT ?= 8069
STANDIN_PORT ?= 8370
DB_HOST ?=
DB_PORT ?=
DB_USER ?=
DB_PASSWORD ?=
TEST_HTTP_PORT ?=
TEST_DB ?=
KEEP_DB ?=
CI ?=
PG_VERSION ?= $(or $(lastword $(sort $(notdir $(wildcard /etc/postgresql/*)))),15)

VENV := $(DCX_CACHE)/venv
TOOLS_VENV := $(DCX_CACHE)/tools-venv
NODE_DIR := $(DCX_CACHE)/node
ADDONS_DIR := $(DCX_CACHE)/addons
DATA_DIR := $(DCX_CACHE)/data
LOG_DIR := $(DCX_CACHE)/logs
CONSTRAINTS := $(DCX_CACHE)/build-constraints.txt
ODOO_DIR := $(or $(ODOO_SRC),$(DCX_CACHE)/odoo)
TOOLS_PY := $(TOOLS_VENV)/bin/python
NODE_BIN := $(NODE_DIR)/node_modules/.bin
XML_PLUGIN := $(NODE_DIR)/node_modules/@prettier/plugin-xml/src/plugin.js
PRETTIER_FILES := **/*.{js,mjs,cjs,css,scss,xml,json,yml,yaml}

# Linters and the pure-Python test dependencies (a small venv, also used by CI).
TOOLS_PKGS := ruff==0.17.6 pylint-odoo==10.0.12 pytest==9.2.0 freezegun==1.2.1 \
	phonenumbers==9.0.43 requests==2.31.0 jsonschema==4.26.0 docutils==0.20.1
# Added to Odoo's requirements.txt in $(VENV) (freezegun, requests: pinned by Odoo).
# --workers mode starts a gevent process whose pkg_resources must be setuptools < 81
# and newer than the venv's bundled 65 (which cannot see zope.interface).
ODOO_EXTRA_PKGS := 'setuptools>=70,<81' phonenumbers==9.0.43 websocket-client==1.9.2 pytest==9.2.0 \
	pytest-odoo==2.3.0 freezegun jsonschema==4.26.0 requests
APT_BUILD_DEPS := libpq-dev libldap2-dev libsasl2-dev

export PYTHONDONTWRITEBYTECODE := 1
export DCX_CACHE ODOO_SRC DB_HOST DB_PORT DB_USER DB_PASSWORD TEST_HTTP_PORT TEST_DB KEEP_DB CI
export DCX_NODE_MODULES := $(NODE_DIR)/node_modules
export TOOLS_BIN := $(TOOLS_VENV)/bin
export ODOO_PYTHON := $(VENV)/bin/python
export ADDONS_DIR DATA_DIR
ifneq ($(DB_HOST),)
export PGHOST := $(DB_HOST)
endif
ifneq ($(DB_PORT),)
export PGPORT := $(DB_PORT)
endif
ifneq ($(DB_USER),)
export PGUSER := $(DB_USER)
endif
ifneq ($(DB_PASSWORD),)
export PGPASSWORD := $(DB_PASSWORD)
endif

ODOO_DB_ARGS := $(if $(DB_HOST),--db_host=$(DB_HOST)) $(if $(DB_PORT),--db_port=$(DB_PORT)) \
	$(if $(DB_USER),--db_user=$(DB_USER)) $(if $(DB_PASSWORD),--db_password=$(DB_PASSWORD))
RUN_TESTS := $(TOOLS_PY) $(REPO)/tools/run_tests.py
# What the Odoo part needs, only when ODOO_SRC is set.
ODOO_TEST_DEPS := $(if $(ODOO_SRC),odoo-venv addons-link postgres chromium)

.PHONY: help run run-reset test lint test-pure test-node test-odoo format readme pot pytest-odoo clean \
	odoo-source odoo-venv tools-venv node-modules addons-link postgres prosody chromium apt-build-deps

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	echo "  variables: ODOO_SRC DCX_CACHE DB HTTP_PORT DB_HOST DB_PORT DB_USER DB_PASSWORD"
	echo "             TEST_HTTP_PORT TEST_DB KEEP_DB=1 STANDIN_PORT (see readme/INSTALL.md)"

# ------------------------------------------------------------------------------ run
run: odoo-venv addons-link postgres ## Odoo with dcx_crm and demo data on http://localhost:8069 (HTTP_PORT)
	@mkdir -p $(LOG_DIR) $(DATA_DIR)
	cd $(DCX_CACHE)
	addons=$(ADDONS_DIR); [ ! -d $(ODOO_DIR)/addons ] || addons=$(ODOO_DIR)/addons,$$addons
	odoo=( $(ODOO_PYTHON) $(ODOO_DIR)/odoo-bin -d $(DB) --addons-path=$$addons --data-dir=$(DATA_DIR) $(ODOO_DB_ARGS) )
	state=$$(psql -d "$(DB)" -XtAc "SELECT state FROM ir_module_module WHERE name='dcx_crm'" 2>/dev/null || true)
	install_log=$(LOG_DIR)/run-install-$(DB).log
	if [ "$$state" != installed ]; then
	  echo "==> Creating database $(DB) with dcx_crm and demo data (first time: a few minutes)"
	  # --without-demo= (empty) loads demo data; "False" would be read as true by Odoo 18
	  "$${odoo[@]}" -i dcx_crm --without-demo= --stop-after-init --http-port=$(HTTP_PORT) \
	    2>&1 | tee "$$install_log" || true
	  state=$$(psql -d "$(DB)" -XtAc "SELECT state FROM ir_module_module WHERE name='dcx_crm'" || true)
	  if [ "$$state" != installed ]; then
	    echo "ERROR: dcx_crm did not install in $(DB); see $$install_log" >&2; exit 1
	  fi
	fi
	standin=""
	if [ "$(STANDIN_PORT)" != 0 ] && [ -f $(REPO)/tools/dcx_meeting_standin.py ] \
	   && ! (exec 3<>/dev/tcp/127.0.0.1/$(STANDIN_PORT)) 2>/dev/null; then
	  $(PYTHON) $(REPO)/tools/dcx_meeting_standin.py --port $(STANDIN_PORT) --api-key dcx-demo-key > $(LOG_DIR)/standin.log 2>&1 &
	  standin=$$!
	  trap 'kill $$standin 2>/dev/null || true' EXIT
	fi
	echo
	echo "================================================================================"
	echo " Odoo with dcx_crm: http://localhost:$(HTTP_PORT)   database $(DB)"
	echo " Login: admin / admin  (demo data loaded)"
	echo " The demo integration user's API key is printed in the install log:"
	echo "   $$install_log"
	sed -nE 's/^[0-9-]+ [0-9:,]+ [0-9]+ [A-Z]+ [^ ]+ [^ ]+: (.*)$$/\1/p' "$$install_log" 2>/dev/null \
	  | grep -iE 'demo.*api[ _-]?key|api[ _-]?key.*demo' | tail -n 2 | sed 's/^/   /' || true
	[ -z "$$standin" ] || echo " DCX-Meeting stand-in: http://127.0.0.1:$(STANDIN_PORT) (log: $(LOG_DIR)/standin.log)"
	echo " Stop with Ctrl-C.  Start again from scratch: make run-reset"
	echo "================================================================================"
	"$${odoo[@]}" --db-filter='^$(DB)$$' --http-port=$(HTTP_PORT)

run-reset: postgres ## drop the demo database (DB=dcx_crm_demo), then make run
	@dropdb --if-exists "$(DB)"
	rm -rf "$(DATA_DIR)/filestore/$(DB)"
	$(MAKE) run

# ------------------------------------------------------------------------------ tests
test: tools-venv node-modules prosody $(ODOO_TEST_DEPS) ## lint + pure + node (+ Odoo with ODOO_SRC); closing summary line
	@$(RUN_TESTS) lint pure node odoo

# `make lint test-pure test-node` runs the three parts in one go, with one summary line.
PART_GOALS := $(filter lint test-pure test-node test-odoo,$(MAKECMDGOALS))
PART_DEPS := tools-venv $(if $(filter lint test-node,$(PART_GOALS)),node-modules) \
	$(if $(filter test-node,$(PART_GOALS)),prosody) \
	$(if $(filter test-odoo,$(PART_GOALS)),$(ODOO_TEST_DEPS))
lint test-pure test-node test-odoo: $(PART_DEPS)
	@[ "$@" = "$(firstword $(PART_GOALS))" ] || exit 0
	$(RUN_TESTS) $(patsubst test-%,%,$(PART_GOALS))

lint: ## ruff, ruff format, pylint-odoo, prettier, eslint, README.rst freshness
test-pure: ## pytest lib/tests
test-node: ## node --test tests/node/ (Prosody test when prosody is installed)
test-odoo: ## Odoo tests on a fresh database (needs ODOO_SRC)

pytest-odoo: odoo-venv addons-link postgres ## the Odoo tests with pytest-odoo on an installed DB (DB=..., PYTEST_ARGS=...)
	@mkdir -p $(DCX_CACHE)
	addons=$(ADDONS_DIR); [ ! -d $(ODOO_DIR)/addons ] || addons=$(ODOO_DIR)/addons,$$addons
	conf=$(DCX_CACHE)/pytest-odoo.conf
	printf '[options]\naddons_path = %s\nhttp_port = %s\ndata_dir = %s\n' "$$addons" "$(or $(TEST_HTTP_PORT),8069)" "$(DATA_DIR)" > $$conf
	cd $(ADDONS_DIR)
	PYTHONPATH=$(ODOO_DIR) $(ODOO_PYTHON) -m pytest -p no:cacheprovider --odoo-config=$$conf \
	  --odoo-database=$(DB) --odoo-http $(or $(PYTEST_ARGS),dcx_crm/tests)

format: tools-venv node-modules ## rewrite files with ruff (format + fixes) and prettier
	@cd $(REPO)
	$(TOOLS_VENV)/bin/ruff format --no-cache .
	$(TOOLS_VENV)/bin/ruff check --no-cache --fix --exit-zero .
	$(NODE_BIN)/prettier --write --log-level=warn --plugin=$(XML_PLUGIN) \
	  --no-error-on-unmatched-pattern '$(PRETTIER_FILES)'

pot: odoo-venv addons-link postgres ## regenerate i18n/dcx_crm.pot from a fresh database
	@mkdir -p $(LOG_DIR)
	cd $(DCX_CACHE)
	addons=$(ADDONS_DIR); [ ! -d $(ODOO_DIR)/addons ] || addons=$(ODOO_DIR)/addons,$$addons
	db=dcx_crm_pot_$$$$
	odoo=( $(ODOO_PYTHON) $(ODOO_DIR)/odoo-bin -d $$db --addons-path=$$addons --data-dir=$(DATA_DIR) $(ODOO_DB_ARGS) )
	trap 'dropdb --if-exists $$db' EXIT
	"$${odoo[@]}" -i dcx_crm --without-demo=all --stop-after-init > $(LOG_DIR)/pot.log 2>&1
	"$${odoo[@]}" --i18n-export=$(REPO)/i18n/dcx_crm.pot --modules=dcx_crm --stop-after-init \
	  >> $(LOG_DIR)/pot.log 2>&1
	echo "i18n/dcx_crm.pot regenerated ($$(grep -c '^msgid' $(REPO)/i18n/dcx_crm.pot) messages)"

readme: tools-venv ## regenerate README.rst from readme/*.md
	@cd $(REPO) && $(TOOLS_PY) tools/gen_readme.py

clean: ## remove caches that tools may leave in the repository
	@cd $(REPO)
	find . -path ./.git -prune -o \( -name __pycache__ -o -name .pytest_cache -o -name .ruff_cache \
	  -o -name node_modules \) -prune -exec rm -rf {} + -o -name '*.py[co]' -exec rm -f {} +
	rm -f .coverage

# ------------------------------------------------------------------------------ environment
odoo-source:
	@if [ -n "$(ODOO_SRC)" ]; then
	  [ -f "$(ODOO_SRC)/odoo-bin" ] || { echo "ERROR: ODOO_SRC=$(ODOO_SRC) is not an Odoo source tree (no odoo-bin)" >&2; exit 1; }
	  exit 0
	fi
	[ -f "$(ODOO_DIR)/odoo-bin" ] && exit 0
	echo "==> ODOO_SRC not set: cloning Odoo $(ODOO_BRANCH) into $(ODOO_DIR)"
	rm -rf "$(ODOO_DIR).tmp"; mkdir -p "$(DCX_CACHE)"
	if GIT_TERMINAL_PROMPT=0 timeout 1800 git clone --quiet --depth 1 -b $(ODOO_BRANCH) \
	     "$(ODOO_GIT_URL)" "$(ODOO_DIR).tmp"; then
	  mv "$(ODOO_DIR).tmp" "$(ODOO_DIR)"
	else
	  rm -rf "$(ODOO_DIR).tmp"
	  echo "ERROR: could not clone $(ODOO_GIT_URL) (offline?)." >&2
	  echo "       Set ODOO_SRC to an Odoo 18.0 source tree, e.g. make run ODOO_SRC=/path/to/odoo-18.0" >&2
	  exit 1
	fi

apt-build-deps:
	@command -v pg_config >/dev/null && [ -e /usr/include/ldap.h ] && [ -e /usr/include/sasl/sasl.h ] && exit 0
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	  echo "==> apt-get install $(APT_BUILD_DEPS)"
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_BUILD_DEPS) >/dev/null
	else
	  echo "WARNING: Odoo's requirements build from source with: $(APT_BUILD_DEPS) (sudo apt-get install ...)" >&2
	fi

odoo-venv: odoo-source
	@mkdir -p $(DCX_CACHE)
	echo 'setuptools<81' > $(CONSTRAINTS).new
	cmp -s $(CONSTRAINTS).new $(CONSTRAINTS) && rm $(CONSTRAINTS).new || mv $(CONSTRAINTS).new $(CONSTRAINTS)
	hash=$$( { cat $(ODOO_DIR)/requirements.txt $(CONSTRAINTS); echo $(ODOO_EXTRA_PKGS); } | sha1sum | cut -c1-16)
	stamp=$(VENV)/.dcx-stamp-$$hash
	if [ -f $$stamp ] && [ -x $(ODOO_PYTHON) ]; then exit 0; fi
	$(MAKE) -s apt-build-deps
	[ -x $(ODOO_PYTHON) ] || $(PYTHON) -m venv $(VENV)
	echo "==> Installing Odoo's requirements into $(VENV) (first time: several minutes)"
	PIP_CONSTRAINT=$(CONSTRAINTS) $(VENV)/bin/pip install -q --disable-pip-version-check \
	  -r $(ODOO_DIR)/requirements.txt $(ODOO_EXTRA_PKGS) 2>&1 | { grep -v ' is ignored: it is neither' || true; }
	rm -f $(VENV)/.dcx-stamp-*; touch $$stamp

tools-venv:
	@hash=$$(echo $(TOOLS_PKGS) | sha1sum | cut -c1-16)
	stamp=$(TOOLS_VENV)/.dcx-stamp-$$hash
	if [ -f $$stamp ] && [ -x $(TOOLS_PY) ]; then exit 0; fi
	echo "==> Installing lint and test tools into $(TOOLS_VENV)"
	[ -x $(TOOLS_PY) ] || $(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install -q --disable-pip-version-check $(TOOLS_PKGS) 2>&1 \
	  | { grep -v ' is ignored: it is neither' || true; }
	rm -f $(TOOLS_VENV)/.dcx-stamp-*; touch $$stamp

node-modules:
	@mkdir -p $(NODE_DIR)
	hash=$$(cat $(REPO)/package.json $(REPO)/package-lock.json | sha1sum | cut -c1-16)
	stamp=$(NODE_DIR)/.dcx-stamp-$$hash
	if [ -f $$stamp ] && [ -d $(NODE_DIR)/node_modules ]; then exit 0; fi
	command -v npm >/dev/null || { echo "ERROR: npm (Node.js 20) is needed for prettier, eslint and the node tests" >&2; exit 1; }
	echo "==> npm ci into $(NODE_DIR)"
	cp $(REPO)/package.json $(REPO)/package-lock.json $(NODE_DIR)/
	npm ci --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error
	rm -f $(NODE_DIR)/.dcx-stamp-*; touch $$stamp

addons-link:
	@mkdir -p $(ADDONS_DIR)
	if [ "$$(readlink $(ADDONS_DIR)/dcx_crm || true)" != "$(REPO)" ]; then
	  [ ! -e $(ADDONS_DIR)/dcx_crm ] || echo "note: $(ADDONS_DIR)/dcx_crm now points to $(REPO)"
	  ln -sfn $(REPO) $(ADDONS_DIR)/dcx_crm
	fi

postgres:
	@pg_isready -q && exit 0
	if [ -z "$(DB_HOST)$${PGHOST:-}" ] && command -v pg_ctlcluster >/dev/null; then
	  echo "==> PostgreSQL is down: pg_ctlcluster $(PG_VERSION) main start"
	  pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start || true
	  for i in $$(seq 20); do pg_isready -q && exit 0; sleep 0.5; done
	fi
	echo "ERROR: PostgreSQL is not reachable (pg_isready$${PGHOST:+ -h $$PGHOST}$${PGPORT:+ -p $$PGPORT})." >&2
	echo "       Start it, or point to one with DB_HOST/DB_PORT/DB_USER/DB_PASSWORD (or PG* variables)." >&2
	exit 1

prosody:
	@command -v prosody >/dev/null && exit 0
	if [ "$(CI)" = true ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	  echo "==> CI: apt-get install prosody (for the XMPP integration test)"
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody >/dev/null
	  # the package's service must not keep running: the test starts its own server
	  (command -v service >/dev/null && service prosody stop) >/dev/null 2>&1 || true
	else
	  echo "note: prosody is not installed (Debian package 'prosody'): the Prosody test will be skipped"
	fi

chromium:
	@for c in chromium chromium-browser google-chrome; do command -v $$c >/dev/null && exit 0; done
	if [ "$(CI)" = true ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	  echo "==> CI: apt-get install chromium (Odoo browser tests)"
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
	  echo "note: chromium is not installed: Odoo skips its browser tests (apt-get install chromium)"
	fi
