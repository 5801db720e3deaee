"""The practice record: the model (parse, validate, dump: `kb.records.model`) and the corpus
folder of one file per record (`kb.records.corpus`). Nothing here knows about the index."""
