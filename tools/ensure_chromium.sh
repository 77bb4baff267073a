#!/usr/bin/env bash
# Make Debian's Chromium available for the real-browser test (tests/test_browser.py).
# Playwright drives it with executable_path; its own browser download does not work here.
# Never fails: where Chromium cannot be installed it says why, and the browser test is skipped.
set -u
CHROMIUM="${ILLUMRES_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
    echo "ensure_chromium: no apt-get here; install Chromium by hand (the browser test will be skipped)"; exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"
else echo "ensure_chromium: $CHROMIUM missing and not root (no password-less sudo): the browser test will be skipped"; exit 0
fi
echo "ensure_chromium: installing Debian's chromium (apt-get) for the browser test"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq chromium >/dev/null 2>&1; }; }; then
    echo "ensure_chromium: apt-get install chromium failed: the browser test will be skipped"
fi
[ -x "$CHROMIUM" ] && echo "ensure_chromium: $("$CHROMIUM" --version 2>/dev/null)"
exit 0
