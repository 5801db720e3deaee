"""The old home of the Bulgarian stemmer, kept as a re-export: it lives in `kb.lang.bulgarian`."""
from kb.lang.bulgarian import stem, stem_for_search  # noqa: F401
