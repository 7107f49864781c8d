#!/usr/bin/env bash
# Install headless Chromium and its driver (Debian packages chromium, chromium-driver) for
# the browser test of the interactive graph page (tests/test_browser.py).
#
# Never fails: when the packages cannot be installed (no root, no apt-get, no network),
# it says why and exits 0, and the browser test skips with the same reason.
set -u

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_browser.sh: apt-get not found; the browser test will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install_browser.sh: not root and no sudo; the browser test will be skipped" >&2
    exit 0
  fi
fi
log="$(mktemp)"
if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 \
  && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
       chromium chromium-driver >>"$log" 2>&1; then
  echo "install_browser.sh: installed $(chromium --version 2>/dev/null | head -n 1)" >&2
else
  echo "install_browser.sh: could not install chromium/chromium-driver (last lines below);" \
       "the browser test will be skipped" >&2
  tail -n 5 "$log" >&2
fi
rm -f "$log"
exit 0
