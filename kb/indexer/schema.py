"""The Whoosh schema: text fields per language, facet fields with columns, and the record's
display data stored once per document (`StoredRecord`, the typed form of the `doc` field)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.indexer.analysis import analyzer_for, simple_analyzer
from kb.lang import LANGUAGES

# Bump when the schema or the analyzers change in a way that needs a full rebuild.
SCHEMA_VERSION = "12"

# Field weights (BM25F): a word in the title says more about a record than one in the body.
FIELD_BOOSTS = {"title": 4.0, "summary": 2.0, "body": 1.0}
TEXT_FIELDS = tuple(f"{part}_{lang}" for lang in LANGUAGES for part in FIELD_BOOSTS)
META_FIELD = "meta"            # organisation, municipality, partners, keywords, id (any language)
META_BOOST = 1.5
SPELL_FIELD = "words"
ABSTRACT_FIELD = "summary_en"  # where every record's English abstract is indexed
STORED_FIELD = "doc"


def text_field(part: str, lang: str) -> str:
    """The index field of one part (title, summary, body) of a record's text in one language."""
    return f"{part}_{lang}"


# The text fields of one language share its analyzer (build_schema): a word makes the same terms
# in a record's title, summary and body, so what analysing it gives can be kept once for the three.
SAME_ANALYSIS = {text_field(part, lang): f"text_{lang}" for lang in LANGUAGES for part in FIELD_BOOSTS}


# Facet name -> index field. Multi-valued facets are KEYWORD fields.
FACET_FIELDS = {
    "region": "region", "country": "country", "topic": "topic", "doctype": "doctype",
    "language": "lang", "year": "year", "target_group": "target_group", "instrument": "instrument",
    "organisation_type": "organisation_type", "status": "status",
}
MULTI_VALUED = {"topic", "target_group", "instrument"}


@dataclass(frozen=True)
class StoredRecord:
    """What the index keeps of a record to show it in a list without reading its file: built
    from a Practice at indexing time, read back for every hit. Stored as a plain dict (pickled
    by Whoosh), so the index does not depend on this class's module path."""
    id: str
    title: str
    lang: str
    region: str
    year_start: int
    title_en: str = ""
    summary: str = ""
    summary_en: str = ""
    country: str = ""
    year_end: int | None = None
    ongoing: bool = False
    date: str | None = None            # ISO date
    doctype: str = ""
    status: str = "published"
    topics: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    organisation: str = ""
    organisation_type: str = ""
    municipality: str = ""
    illustrative: bool = False
    body: str = ""                     # plain text of the body (snippets, re-ranking)
    path: str = ""

    def to_stored(self) -> dict:
        return asdict(self)

    @classmethod
    def from_stored(cls, data: dict) -> "StoredRecord":
        return cls(**{k: v for k, v in data.items() if k in _STORED_NAMES})

    def to_dict(self) -> dict:
        return asdict(self)


_STORED_NAMES = frozenset(f.name for f in fields(StoredRecord))


def build_schema() -> Schema:
    schema_fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "hash": ID(stored=True),
        STORED_FIELD: STORED(),             # StoredRecord.to_stored()
        "title_sort": ID(sortable=True),    # case-folded title for sort=title
        "date_sort": NUMERIC(int, bits=32, sortable=True),   # yyyymmdd (year_start*10000 if no date)
        "year": NUMERIC(int, bits=32, stored=True, sortable=True),
        "year_end": NUMERIC(int, bits=32, sortable=True),
        META_FIELD: TEXT(analyzer=simple_analyzer(), field_boost=META_BOOST),
        # every word as written (lower-cased, unstemmed): the vocabulary of spelling suggestions
        SPELL_FIELD: TEXT(analyzer=simple_analyzer(), phrase=False),
    }
    for lang in LANGUAGES:
        for part, boost in FIELD_BOOSTS.items():
            schema_fields[text_field(part, lang)] = TEXT(analyzer=analyzer_for(lang), field_boost=boost,
                                                         phrase=True)
    for facet, name in FACET_FIELDS.items():
        if name in schema_fields:
            continue
        if facet in MULTI_VALUED:
            schema_fields[name] = KEYWORD(commas=True, lowercase=False, scorable=False)
        else:
            schema_fields[name] = ID(sortable=True)
    return Schema(**schema_fields)
