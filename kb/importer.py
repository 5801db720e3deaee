"""The old home of the HTML importer, kept as a re-export: it lives in `kb.curation.importer`."""
from kb.curation.importer import ImportedPage, ImportError_, import_html, suggest_id  # noqa: F401
