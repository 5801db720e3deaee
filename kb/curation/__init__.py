"""The curators' side: edits with history and audit (`kb.curation.edits`), accounts and sign-in
throttling (`kb.curation.accounts`), importers that turn pages and documents into drafts."""
