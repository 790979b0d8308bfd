#!/bin/sh
# Makes Debian's chromium available for test/docs-page/docs-page.test.ts (driven headless by playwright-core).
# Prints the binary's path on success; on failure prints the reason on stderr and exits non-zero, and the test
# reports itself skipped with that reason.
set -u
BIN=/usr/bin/chromium
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then echo "apt-get is not available (not a Debian/Ubuntu system)" >&2; exit 2; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
  else echo "installing chromium needs root or passwordless sudo" >&2; exit 3; fi
fi
export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
# Try without refreshing the package lists first: that is the fast path when they are current.
if ! $SUDO apt-get install -y -q --no-install-recommends chromium >"$LOG" 2>&1; then
  if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends chromium; } >"$LOG" 2>&1; then
    echo "apt-get install chromium failed: $(tail -n 3 "$LOG" | tr '\n' ' ')" >&2
    rm -f "$LOG"
    exit 4
  fi
fi
rm -f "$LOG"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
echo "chromium installed but $BIN is missing" >&2
exit 5
