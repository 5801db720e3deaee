"""Performance benchmark of kb against tantivy and SQLite FTS5; run `python -m bench.perf`."""
