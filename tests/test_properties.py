"""Property-based tests (hypothesis) of every parser of user input: nothing a user types or
uploads raises anything but the documented, clear error."""
from hypothesis import HealthCheck, given, settings, strategies as st

from kb.lang.bulgarian import stem
from kb.records.model import RecordError, parse_practice
from kb.search.parse import parse
from kb.search import SearchRequest

QUERY_CHARS = st.text(alphabet=st.sampled_from(list('abc xyz"-OR()*?:^~+!@АБВгдеѝñáé\\/\t\n\x00')), max_size=80)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | QUERY_CHARS)
def test_query_parser_never_raises(text):
    q = parse(text)
    assert all(group for group in q.clauses)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=500) | QUERY_CHARS)
def test_search_answers_any_query_up_to_the_limit(service, text):
    result = service.search(SearchRequest(q=text))
    assert result.total >= 0
    assert result.total == 0 or result.hits


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_bulgarian_stemmer_never_raises_and_returns_lower_case(word):
    out = stem(word)
    assert isinstance(out, str) and out == out.lower()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=600))
def test_corpus_reader_gives_a_record_or_a_clear_error_for_any_bytes(shipped_config, raw):
    try:
        parse_practice(raw, shipped_config, "corpus/x/y.md")
    except RecordError as exc:
        assert exc.problems and all(f and r for f, r in exc.problems)


FRONT = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=20), "title": st.text(max_size=20), "year_start": st.integers(-5, 3000),
    "topics": st.lists(st.sampled_from(["e-services", "x", ""]), max_size=3),
    "status": st.sampled_from(["draft", "published", "other"]), "lang": st.sampled_from(["bg", "es", "xx"]),
})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=FRONT, body=st.text(max_size=200))
def test_corpus_reader_on_structured_garbage(shipped_config, fields, body):
    import json
    front = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items())
    try:
        parse_practice(f"+++\n{front}\n+++\n{body}", shipped_config, "f.md")
    except RecordError as exc:
        assert exc.messages()[0].startswith("f.md: ")
