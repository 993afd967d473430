#!/usr/bin/env bash
# Installs what the tests need and a fresh Debian machine lacks: Chromium,
# Xvfb and xdotool, PostgreSQL, nasm, an SMTP server, fonts, and the npm
# packages of the browser tests. Does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v nasm >/dev/null || need+=(nasm)
command -v openssl >/dev/null || need+=(openssl)
command -v runuser >/dev/null || need+=(util-linux)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing packages: ${need[*]}. Install them (as root: apt-get install ${need[*]})." >&2
    exit 1
  fi
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --no-create-home postgres
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
