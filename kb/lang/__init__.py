"""Language knowledge, without Whoosh: the content languages, folding and stop lists
(`kb.lang.text`), stemmers (`kb.lang.stemming`, our Bulgarian one in `kb.lang.bulgarian`),
Latin-typed Bulgarian (`kb.lang.translit`) and the FreeDict dictionaries (`kb.lang.dictionary`).

The analysis chains that put these facts into Whoosh live in `kb.indexer.analysis`, as Whoosh
keeps `whoosh.lang` apart from its filters."""

# The languages records are written in, and the interface may speak (config.toml picks among them).
LANGUAGES = ("bg", "es", "en")
