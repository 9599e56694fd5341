#!/usr/bin/env bash
# Installs the system packages the project needs, only when they are missing:
# Pango and fonts for WeasyPrint, PostgreSQL server binaries for the store tests,
# Debian's Chromium for the console's browser tests (driven by Playwright, never a
# browser Playwright downloads: this machine reaches package registries only), and npm,
# which the Makefile uses to fetch axe-core (the accessibility check) from its registry.
set -euo pipefail

missing=()
ldconfig -p | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -q 'DejaVuSerif' || missing+=(fonts-dejavu-core fonts-dejavu-extra fontconfig)
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing system packages: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
