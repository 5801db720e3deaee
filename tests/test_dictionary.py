"""Cross-language query translation (kb.lang.dictionary).

Part 1 builds tiny dictd dictionaries in a temporary folder and always runs. Part 2 uses the
Debian FreeDict packages (scripts/install-debian-packages.sh, run by make) and is skipped, with the reason, when
they are not installed. (One file holds both, so part 2 is skipped by a marker, not by a
module-level pytest.skip, which would take part 1 with it.)
"""
from __future__ import annotations

import gzip
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.lang import dictionary as D
from kb.lang.dictionary import Dictionaries, get_dictionaries

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def encode(n: int) -> str:
    """dictd's base64 number, as dictfmt writes it."""
    out = ""
    while True:
        out = B64[n % 64] + out
        n //= 64
        if not n:
            return out


def write_dictd(folder, name: str, info: str, entries: list[tuple[str, str]]) -> None:
    """A dictd pair: ``name``.index + ``name``.dict.dz (gzip) from (headword, entry text)."""
    blob, lines = b"", []
    for headword, text in [("00databaseinfo", info + "\n")] + entries:
        raw = text.encode("utf-8")
        lines.append(f"{headword}\t{encode(len(blob))}\t{encode(len(raw))}\n")
        blob += raw
    (folder / f"{name}.index").write_text("".join(lines), encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as fh:
        fh.write(blob)


WIKDICT_ENG_BUL = [      # FreeDict+WikDict layout: translation line, English gloss line
    ("budget", "budget //ˈbʌd͡ʒ.ɪt// <n>\nбюдже́т, бюджет 2.\nitemized summary of intended "
               "expenditure\n 3.\nthe amount of money\n"),
    ("budget", "budget //ˈbʌd͡ʒ.ɪt// <v>\n1. предвиждам в бюджета\nallow for in a budget\n"
               "2. съставям бюджет\nconstruct or draw up a budget\n"),
    ("transparency", "transparency //-ˈpæɹənsi// <n>\n1. прозрачност\nquality of being "
                     "transparent\n2. плака\ntransparent object\n"),
    ("municipality", "municipality //mjʊˌnɪsɪˈpælɪti// <n>\nобщина́\na district with a "
                     "government\n"),
    ("digital", "digital //ˈdɪd͡ʒɪtl̩// <adj>\n1. на [[пръст|пръ́стите]], пръ́стов\nhaving to do "
                "with a finger\n2. дигита́лен, ци́фров (техн.)\nof or relating to computers\n"),
    ("archy", "archy /ˈɑːtʃi/ <suffix>\nа́рхия\nform of government or rule\n"),
    ("participation", "participation //pɑɹˌtɪsɪˈpeɪʃən// <n>\nучастие\nthe act of "
                      "participating\n"),
    ("involvement", "involvement //ɪnˈvɑlvmənt// <n>\nзамесеност\nthe act of involving\n"),
    ("town hall", "town hall /tˈaʊn hˈɔːl/ <n>\nкметство\nbuilding of a town government\n"),
]
ERGANE_SPA_ENG = [       # FreeDict/Ergane layout: every line a sense
    ("presupuesto", "presupuesto /pɾesupwˈesto/\n1. budget\n2. estimate, estimates\n"),
    ("participación", "participación /paɾtiθipaθjˈon/\nparticipation, involvement\n"),
    ("ayuntamiento", "ayuntamiento /ˌaʝuntamjˈɛnto/\n1. town‐hall\n2. city hall, townhall\n"),
]
ERGANE_ENG_SPA = [
    ("house", "house /haus/\ncasa\n"),
    ("house", "house /hausɔfwəːʃip/\niglesia\n"),     # 'house of worship', cut to 'house'
    ("budget", "budget /bʌdʒət/\npresupuesto\n"),
]


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("dictd")
    write_dictd(root, "freedict-eng-bul", "English-Bulgarian FreeDict+WikDict dictionary",
                WIKDICT_ENG_BUL)
    write_dictd(root, "freedict-spa-eng", "Spanish-English FreeDict Dictionary", ERGANE_SPA_ENG)
    write_dictd(root, "freedict-eng-spa", "English-Spanish FreeDict Dictionary", ERGANE_ENG_SPA)
    return root


@pytest.fixture(scope="module")
def tiny(tiny_root):
    return Dictionaries(str(tiny_root), spanish_words=None, apertium_dir=str(tiny_root))   # no Apertium


# --- part 1: format and logic on tiny dictionaries ----------------------------------------------

def test_base64_numbers():
    assert D.decode_b64_number("A") == 0
    assert D.decode_b64_number("B") == 1
    assert D.decode_b64_number("/") == 63
    assert D.decode_b64_number("BA") == 64
    assert D.decode_b64_number("CoLG") == ((2 * 64 + 40) * 64 + 11) * 64 + 6
    rng = random.Random(7)
    for n in [0, 1, 63, 64, 4095, 4096] + [rng.randrange(1 << 30) for _ in range(200)]:
        assert D.decode_b64_number(encode(n)) == n
    for bad in ("", "A=", "é", "A B"):
        with pytest.raises(ValueError):
            D.decode_b64_number(bad)


def test_index_offsets_slice_the_entries(tiny_root):
    rows = D.read_index(str(tiny_root / "freedict-spa-eng.index"))
    data = D.read_dict_data(str(tiny_root / "freedict-spa-eng.dict.dz"))
    assert [hw for hw, _, _ in rows] == ["00databaseinfo", "presupuesto", "participación",
                                         "ayuntamiento"]
    texts = [data[off:off + ln].decode("utf-8") for _, off, ln in rows[1:]]
    assert texts == [text for _, text in ERGANE_SPA_ENG]


def test_read_index_skips_bad_lines(tmp_path):
    (tmp_path / "x.index").write_text("ok\tB\tC\nno tabs here\nbad\t!!\tB\n\nshort\tB\n",
                                      encoding="utf-8")
    assert D.read_index(str(tmp_path / "x.index")) == [("ok", 1, 2)]


def test_wikdict_entry_keeps_translations_drops_glosses_and_stress():
    entry = D.parse_entry(WIKDICT_ENG_BUL[4][1], wikdict=True, dst="bg")
    assert entry.headword == "digital"
    assert entry.senses == [["на пръстите", "пръстов"], ["дигитален", "цифров"]]
    entry = D.parse_entry(WIKDICT_ENG_BUL[0][1], wikdict=True, dst="bg")
    assert entry.senses == [["бюджет"]]
    assert D.parse_entry(WIKDICT_ENG_BUL[5][1], wikdict=True, dst="bg").affix


def test_ergane_entry_senses_in_order():
    entry = D.parse_entry(ERGANE_SPA_ENG[2][1], dst="en")
    assert entry.pron == "ˌaʝuntamjˈɛnto"
    assert entry.senses == [["town-hall"], ["city hall", "townhall"]]


def test_clean_terms():
    assert D.clean_terms("a, dentro de, en, por", "es") == ["a", "dentro de", "en", "por"]
    assert D.clean_terms("Casa (f.), [rare] hogar; domicilio", "es") == \
        ["casa", "hogar", "domicilio"]
    assert D.clean_terms("to wait, wait for, a very long phrase of words here", "en") == \
        ["wait", "wait for"]
    assert D.clean_terms("ка́чество, quality, 3D", "bg") == ["качество"]


def test_direct_lookup_ranks_single_words_first(tiny):
    assert tiny.translate("budget", "en", "bg") == ["бюджет", "предвиждам в бюджета",
                                                     "съставям бюджет"]
    assert tiny.translate("digital", "en", "bg") == ["пръстов", "дигитален", "цифров",
                                                      "на пръстите"]
    assert tiny.translate("digital", "en", "bg", limit=2) == ["пръстов", "дигитален"]
    assert tiny.translate("Transparency", "en", "bg")[0] == "прозрачност"


def test_word_forms(tiny):
    assert tiny.translate("municipalities", "en", "bg") == ["община"]
    assert tiny.translate("budgets", "en", "bg")[0] == "бюджет"
    assert tiny.translate("archy", "en", "bg") == []              # affixes are not words


def test_ergane_truncated_multiword_entries_are_dropped(tiny):
    assert tiny.translate("house", "en", "es") == ["casa"]


def test_ergane_glued_words_are_dropped_when_a_word_list_can_tell(tiny):
    # 'townhall' is no English word (the eng-bul headwords say so); 'town-hall' is 'town hall'
    assert tiny.translate("ayuntamiento", "es", "en") == ["town-hall", "city hall"]


def test_spanish_lookup_is_accent_and_case_insensitive(tiny):
    expected = ["participation", "involvement"]
    assert tiny.translate("participación", "es", "en") == expected
    assert tiny.translate("participacion", "es", "en") == expected
    assert tiny.translate("PARTICIPACIÓN", "es", "en") == expected
    assert tiny.translate("participaciones", "es", "en") == expected
    assert D.fold_accents("año acción pingüino") == "año accion pinguino"


def test_inverted_and_pivoted_directions(tiny):
    assert tiny.translate("община", "bg", "en") == ["municipality"]
    assert tiny.translate("общината", "bg", "en") == ["municipality"]   # article stripped
    assert tiny.translate("бюджета", "bg", "en") == ["budget"]
    assert tiny.translate("involvement", "en", "es") == ["participación"]  # inverted spa-eng
    assert tiny.translate("participacion", "es", "bg") == ["участие", "замесеност"]  # via en
    assert "бюджет" in tiny.translate("presupuesto", "es", "bg")
    assert tiny.translate("бюджет", "bg", "es") == ["presupuesto"]         # bg -> en -> es


def test_available_pairs(tiny, tmp_path):
    assert tiny.direct_pairs() == {("en", "bg"), ("en", "es"), ("es", "en")}
    assert tiny.available() == {(s, d) for s in D.LANGS for d in D.LANGS if s != d}
    empty = Dictionaries(str(tmp_path / "nowhere"))
    assert empty.available() == set()
    assert empty.translate("budget", "en", "bg") == []
    only_bg = tmp_path / "only-bg"
    only_bg.mkdir()
    write_dictd(only_bg, "freedict-eng-bul", "FreeDict+WikDict", WIKDICT_ENG_BUL)
    d = Dictionaries(str(only_bg), spanish_words=None)
    assert d.available() == {("en", "bg"), ("bg", "en")}
    assert d.translate("presupuesto", "es", "bg") == []
    assert d.translate("община", "bg", "en") == ["municipality"]


def test_cognates_need_a_word_list(tiny_root, tmp_path):
    words = tmp_path / "spanish"
    words.write_text("casa\ntransparencia\nestrategia\n", encoding="utf-8")
    d = Dictionaries(str(tiny_root), spanish_words=str(words), apertium_dir=str(tmp_path))
    assert d.translate("transparency", "en", "es") == ["transparencia"]
    assert d.translate("transparencia", "es", "en") == ["transparency"]   # eng-bul headword
    assert Dictionaries(str(tiny_root), spanish_words=None, apertium_dir=str(tmp_path)).translate(
        "transparency", "en", "es") == []
    assert "estrategia" in D.cognate_candidates("strategy", "en", weak=True)
    assert "participation" in D.cognate_candidates("participación", "es", weak=False)


# --- Apertium's lexicon (kb.lang.apertium) ----------------------------------------------------
def test_apertium_streams_are_read():
    from kb.lang import apertium
    morf = "^skills/skill<n><pl>/skill<vblex><pri><p3><sg>$\n^xyzzy/*xyzzy$\n^cannot/can<vaux><pres>+not<adv>$\n"
    assert apertium.analyses(morf) == {"skills": ["skill<n><pl>", "skill<vblex><pri><p3><sg>"]}
    bil = ("^skill<n><pl>/destreza<n><f><pl>/habilidad<n><f><pl>$\n^city<n>/@city<n>$\n"
           "^town hall<n>/casa_consistorial<n><f>/ayuntamiento<n><m>$\n")
    assert apertium.translations(bil) == {"skill<n><pl>": ["destreza", "habilidad"], "city<n>": [],
                                          "town hall<n>": ["casa consistorial", "ayuntamiento"]}


def test_without_apertium_nothing_changes(tiny_root, tmp_path, monkeypatch):
    from kb.lang import apertium
    assert apertium.read_pair("en", "es", ["budget"], str(tmp_path)) is None
    assert apertium.read_pair("en", "bg", ["budget"]) is None
    monkeypatch.setattr(apertium.shutil, "which", lambda name: None)
    assert not apertium.available()
    assert Dictionaries(str(tiny_root), spanish_words=None).translate("budget", "en", "es") == ["presupuesto"]


needs_apertium = pytest.mark.skipif(
    not __import__("kb.lang.apertium", fromlist=["available"]).available(),
    reason="Debian apertium-eng-spa and lttoolbox not installed (make installs them as root)")


@needs_apertium
def test_apertium_fills_a_direct_step(tiny_root):
    d = Dictionaries(str(tiny_root), spanish_words=None)
    got = d.translate("house", "en", "es")
    assert got[0] == "casa" and "cámara" in got             # FreeDict's first, then Apertium's
    assert d.translate("municipality", "en", "es") == ["municipio"]      # not in the tiny FreeDict


@needs_apertium
def test_apertium_in_a_pivot_is_checked_by_back_translation():
    # обучение -> training -> formación (Apertium; FreeDict's Ergane lacks it), kept because
    # formación translates back to training; FreeDict alone gave only tuición
    d = get_dictionaries()
    assert "formación" in d.translate("обучение", "bg", "es")


@needs_apertium
@pytest.mark.parametrize("word,src,dst,expected", [
    ("tourism", "en", "es", "turismo"), ("training", "en", "es", "formación"),
    ("interoperability", "en", "es", "interoperabilidad"), ("turismo", "es", "en", "tourism")])
def test_apertium_words_freedict_lacks(word, src, dst, expected):
    assert expected in get_dictionaries().translate(word, src, dst)


def test_corrupt_files_behave_as_missing(tmp_path):
    (tmp_path / "freedict-eng-bul.index").write_text("budget\tA\tZZZZ\n", encoding="utf-8")
    (tmp_path / "freedict-eng-bul.dict.dz").write_bytes(b"not gzip at all")
    d = Dictionaries(str(tmp_path))
    assert d.translate("budget", "en", "bg") == []
    assert d.translate("община", "bg", "en") == []


ODD = [None, 12, b"budget", ["budget"], "", "   ", "!!!", "\x00", "a" * 10_000, "🙂", "бюджет",
       "e-services", "o'neill", "budget budget budget", "\u0301", "ñ", "ß", "İ"]


@pytest.mark.parametrize("word", ODD)
def test_odd_input_never_raises(tiny, word):
    for src in ("bg", "en", "es", "fr", None):
        for dst in ("bg", "en", "es", "xx"):
            result = tiny.translate(word, src, dst)
            assert isinstance(result, list)
    assert tiny.translate("budget", "en", "en") == []
    assert tiny.translate("budget", "en", "bg", limit=0) == []
    assert tiny.translate("budget", "en", "bg", limit=-3) == []


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.text(max_size=30), src=st.sampled_from(D.LANGS), dst=st.sampled_from(D.LANGS))
def test_translate_total_on_any_text(tiny, word, src, dst):
    result = tiny.translate(word, src, dst)
    assert isinstance(result, list) and len(result) <= 4
    assert all(isinstance(t, str) and t and t == t.lower() for t in result)


def test_singleton():
    assert get_dictionaries() is get_dictionaries()
    assert get_dictionaries().root == D.DEFAULT_ROOT


# --- part 2: Debian's FreeDict dictionaries ------------------------------------------------------

REAL_FILES = [os.path.join(D.DEFAULT_ROOT, f"freedict-{pair}{ext}")
              for pair in ("eng-bul", "eng-spa", "spa-eng") for ext in (".index", ".dict.dz")]
INSTALLED = all(os.path.isfile(f) for f in REAL_FILES)
real = pytest.mark.skipif(
    not INSTALLED, reason="Debian FreeDict dictionaries not installed (run "
                          "scripts/install-debian-packages.sh, run by make as root)")


@pytest.fixture(scope="module")
def d():
    return get_dictionaries()


@real
class TestDebianDictionaries:

    def test_available(self, d):
        assert {("en", "bg"), ("en", "es"), ("es", "en")} <= d.direct_pairs()
        assert {("bg", "en"), ("es", "bg"), ("bg", "es")} <= d.available()

    @pytest.mark.parametrize("word,src,dst,expected", [
        ("transparency", "en", "bg", "прозрачност"),
        ("municipality", "en", "bg", "община"),
        ("citizens", "en", "bg", "гражданин"),
        ("corruption", "en", "bg", "корупция"),
        ("budget", "en", "es", "presupuesto"),
        ("corruption", "en", "es", "corrupción"),
        ("quality", "en", "es", "calidad"),
        ("presupuesto", "es", "en", "budget"),
        ("ayuntamiento", "es", "en", "city hall"),
        ("gobierno", "es", "en", "government"),
        ("corrupción", "es", "bg", "корупция"),
        ("presupuesto", "es", "bg", "бюджет"),
        ("ley", "es", "bg", "закон"),
        ("прозрачност", "bg", "en", "transparency"),
        ("общината", "bg", "en", "municipality"),
        ("бюджет", "bg", "es", "presupuesto"),
        ("корупция", "bg", "es", "corrupción"),
        ("правителство", "bg", "es", "gobierno"),
    ])
    def test_domain_words(self, d, word, src, dst, expected):
        assert expected in d.translate(word, src, dst)

    def test_cognates_fill_the_gaps(self, d):
        # not in the small Ergane dictionaries; derived and checked against eng-bul headwords
        assert "participation" in d.translate("participación", "es", "en")
        assert "участие" in d.translate("participación", "es", "bg")

    def test_a_pivots_secondary_senses_are_dropped(self, d):
        # jóvenes -> young -> малко: малко means "a little", "young" is its eighth sense
        got = d.translate("jóvenes", "es", "bg", limit=6)
        assert "младежки" in got and "малко" not in got

    def test_accent_insensitive_spanish(self, d):
        assert d.translate("participacion", "es", "en") == d.translate("participación", "es", "en")
        assert d.translate("corrupcion", "es", "en") == d.translate("corrupción", "es", "en") \
            == ["corruption"]

    def test_unknown_word(self, d):
        for src, dst in d.available():
            assert d.translate("xqzzyvwk", src, dst) == []

    def test_limit_and_clean_output(self, d):
        for src, dst in sorted(d.available()):
            for word in ("budget", "presupuesto", "бюджет", "services", "servicios", "услуги"):
                result = d.translate(word, src, dst, limit=3)
                assert len(result) <= 3
                assert all(t == t.lower() and "\u0301" not in t and "(" not in t for t in result)

    @pytest.mark.parametrize("word", ODD)
    def test_odd_input_never_raises(self, d, word):
        for src, dst in sorted(d.available()):
            assert isinstance(d.translate(word, src, dst), list)
