"""The write side: analysis chains (Whoosh filters over `kb.lang`), the schema and its stored
document, full and incremental builds, and the fast full-build writer."""

import whoosh

# The Whoosh release whose private internals kb reads: the fast writer reproduces its
# SegmentWriter byte for byte, and kb.search.vector reads its posting blocks, length columns
# and BM25F parameters in bulk (both tested against Whoosh's own code). With any other release
# both switch to Whoosh's public API: slower, same index and same scores.
WHOOSH_RELEASE = "3.54.0"


def whoosh_internals_known() -> bool:
    return whoosh.versionstring() == WHOOSH_RELEASE
