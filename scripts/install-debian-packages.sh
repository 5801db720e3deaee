#!/bin/sh
# Install the Debian packages kb uses at run time or in tests, if missing:
#   chromium                      browser tests (Playwright drives Debian's Chromium)
#   dict-freedict-*               cross-language query translation (kb/lang/dictionary.py)
#   apertium-eng-spa, lttoolbox   English<->Spanish words FreeDict lacks (kb/lang/apertium.py)
#   libpango*, libharfbuzz-subset0, fonts-dejavu-core
#                                 the Handbook's PDF (WeasyPrint lays text out with Pango; DejaVu
#                                 has Cyrillic and Spanish letters; kb/handbook.py)
# Idempotent: silent, and no `apt-get update`, when everything is installed. Never fails the
# build: without root or apt-get it says what is missing and exits 0 (the tests that need a
# package then skip with a reason, and search simply does not translate queries).
set -u
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE..." >&2; exit 2; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing=""
for pkg in "$@"; do installed "$pkg" || missing="$missing $pkg"; done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "kb: Debian packages not installed:$missing" >&2
    echo "kb: as root run 'apt-get install$missing'; continuing without them" >&2
    exit 0
fi
echo "kb: installing Debian packages:$missing"
if ! apt-get update -qq >/dev/null; then
    echo "kb: apt-get update failed; continuing without:$missing" >&2
    exit 0
fi
wanted=""
for pkg in $missing; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then wanted="$wanted $pkg"
    else echo "kb: no package $pkg in the configured repositories" >&2; fi
done
[ -z "$wanted" ] && exit 0
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! log=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $wanted 2>&1); then
    printf '%s\n' "$log" >&2
    echo "kb: apt-get install$wanted failed; continuing without them" >&2
fi
exit 0
