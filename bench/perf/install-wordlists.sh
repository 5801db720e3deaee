#!/bin/sh
# Install Debian's Hunspell word lists that bench/perf/corpus.py draws its vocabulary from
# (hunspell-bg, hunspell-es, hunspell-en-us: /usr/share/hunspell/*.dic). Bench only: kb itself
# never reads them (hunspell-bg is GPL-2). Without them the generator uses the words of corpus/*.md.
exec sh "$(dirname "$0")/../../scripts/install-debian-packages.sh" hunspell-bg hunspell-es hunspell-en-us
