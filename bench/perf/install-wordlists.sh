#!/bin/sh
# Install Debian's Hunspell word lists that bench/perf/corpus.py draws its vocabulary from:
#   hunspell-bg     /usr/share/hunspell/bg_BG.dic
#   hunspell-es     /usr/share/hunspell/es_ES.dic
#   hunspell-en-us  /usr/share/hunspell/en_US.dic
# Idempotent: does nothing (no apt-get update) when all three are installed. Never fails:
# without root or apt-get it says what is missing and exits 0, and the generator falls back to
# the words of corpus/*.md (printing a note). Bench only: kb itself never reads these files
# (hunspell-bg is GPL-2; see ../shared/DEPENDENCIES.md).
set -u
PACKAGES="hunspell-bg hunspell-es hunspell-en-us"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing=""
for pkg in $PACKAGES; do installed "$pkg" || missing="$missing $pkg"; done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench: word lists not installed:$missing (as root: apt-get install$missing)" >&2
    echo "bench: the generator will use the words of corpus/*.md instead" >&2
    exit 0
fi
echo "bench: installing$missing"
if ! apt-get update -qq >/dev/null; then
    echo "bench: apt-get update failed; continuing without:$missing" >&2
    exit 0
fi
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! log=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing 2>&1); then
    printf '%s\n' "$log" >&2
    echo "bench: apt-get install$missing failed; continuing without them" >&2
fi
exit 0
