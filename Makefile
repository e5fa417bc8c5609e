# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, open the app on its embedded SQLite database
#   make test   install what is missing, run every test (unit, integration, IPC, end to end)
# Other platforms: install Tauri 2's prerequisites by hand (see README), then the same two commands.

SHELL := /bin/bash
CARGO ?= cargo
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
TAURI_DRIVER_VERSION := 2.1.0

# Build and run the app (Tauri 2 on WebKitGTK 4.1; SQLCipher's vendored OpenSSL needs perl and make).
APP_PACKAGES := build-essential pkg-config perl libssl-dev libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev file
# Headless end-to-end tests, PDF checks, window screenshots, and Python for the export checks.
TEST_PACKAGES := xvfb xauth x11-utils webkit2gtk-driver poppler-utils qpdf imagemagick python3 python3-venv postgresql openssl
# The independent FHIR validator (PyPI fhir.resources) and CSV reader the export tests run.
EXPORT_VENV := target/export-venv

.PHONY: run test setup setup-test build rust

run: setup
	$(CARGO) run --locked -p infusion-chart-app --bin infusion-chart

test: setup-test
	$(CARGO) fmt --all -- --check
	$(CARGO) test --workspace --locked --no-fail-fast

build: setup
	$(CARGO) build --locked --workspace

setup: rust
	@$(call ensure_packages,$(APP_PACKAGES))

setup-test: setup
	@$(call ensure_packages,$(TEST_PACKAGES))
	@if ! $(CARGO) install --list | grep -q "^tauri-driver v$(TAURI_DRIVER_VERSION):"; then \
	  echo "Installing tauri-driver $(TAURI_DRIVER_VERSION)"; \
	  $(CARGO) install --locked tauri-driver --version $(TAURI_DRIVER_VERSION); \
	fi
	@$(MAKE) --no-print-directory $(EXPORT_VENV)/installed

$(EXPORT_VENV)/installed: tests/export/requirements.txt
	rm -rf $(EXPORT_VENV)
	python3 -m venv $(EXPORT_VENV)
	$(EXPORT_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/export/requirements.txt
	touch $@

rust:
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it with rustup (rustup.rs), then run make again."; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt

# Installs the Debian packages in $(1) that are not installed yet (apt-get, through sudo when not root).
define ensure_packages
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
if [ -z "$$missing" ]; then exit 0; fi; \
if ! command -v apt-get >/dev/null; then \
  echo "Not a Debian/Ubuntu system: make sure these (or your platform's equivalents) are installed: $$missing"; exit 0; \
fi; \
sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
echo "Installing system packages:" $$missing; \
$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing
endef
