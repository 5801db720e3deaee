"""Tests for kb.lang.bulgarian.stem, grouped like the rule groups of the module."""
import pytest

from kb.lang.bulgarian import stem, stem_for_search


def one_stem(words):
    stems = {w: stem(w) for w in words.split()}
    assert len(set(stems.values())) == 1, stems
    return next(iter(stems.values()))


def distinct(a, b):
    assert stem(a) != stem(b), (a, b, stem(a))


# --- 1. articles and nominal endings ----------------------------------------------------
@pytest.mark.parametrize("family", [
    "закон закона законът законите закони",
    "град града градът",
    "проект проекта проектът проекти проектите",
    "студент студента студентът студенти",
    "съвет съвета съветът съвети съветите",
    "учител учителя учителят учители учителите",
    "материал материала материалът материали",
    "кредит кредита кредитът кредити",
    "област областта области областите",
    "отговорност отговорността отговорности",
    "помощ помощта помощи",
    "музей музея музеят музеи музеите",
])
def test_articles(family):
    one_stem(family)


@pytest.mark.parametrize("family", [
    "град градове градовете",            # -ове
    "път пътят пътища пътищата",         # -ища
    "край краят краища краеве",          # -еве after -й
    "село селото села селата",           # neuter -а
    "поле полето",
    "име имена имената",                 # -ена
])
def test_plurals(family):
    one_stem(family)


def test_ia_nouns():
    one_stem("община общината общини общините")
    one_stem("администрация администрацията администрации администрациите")
    one_stem("изключение изключението изключенията")


def test_singulative_in():
    one_stem("гражданин гражданина гражданинът граждани гражданите")
    one_stem("българин българина българи българите")


def test_mobile_vowel_and_velars():
    one_stem("петък петъка")
    one_stem("театър театъра театри театрите")
    one_stem("ритъм ритъма ритми ритмите")
    one_stem("туризъм туризма туризмът")
    one_stem("механизъм механизма механизми механизмите")
    one_stem("работник работника работникът работници работниците")
    one_stem("психолог психолога психолози")


# --- 2. adjectives and participles ---------------------------------------------------------
@pytest.mark.parametrize("family", [
    "прозрачен прозрачна прозрачно прозрачни прозрачният прозрачната прозрачното прозрачните",
    "добър добра добро добри добрия добрият",
    "красив красива красиво красиви красивия красивият красивата",
    "български българска българско българските българския",
    "общински общинска общинско общинските",
    "управляващ управляваща управляващата управляващите",
])
def test_adjectives(family):
    one_stem(family)


# --- 3./4. verbs ---------------------------------------------------------------------------
def test_verb_second_conjugation():
    one_stem("говоря говориш говори говорим говорите говорят говорих говорихме говориха "
             "говорил говорила говорили говорех говореше говорещ говореща говорейки")


def test_verb_third_conjugation():
    one_stem("управлявам управляваш управлява управляваме управлявате управляват управлявах "
             "управляваше управлявал управлявала управлявали управлявай управлявайте "
             "управлявайки управляван управлявана управляващ")


def test_verb_first_conjugation():
    one_stem("чета четеш чете четем четете четат четох четоха чети")


def test_third_conjugation_ia_kept_apart_from_perfective():
    # оставям (imperfective, -ям) vs оставя (perfective, 2nd conj.): unique -ям forms differ
    assert stem("оставям") == stem("оставяме") == stem("оставяйки")
    assert stem("оставиш") == stem("остави") == stem("оставил")
    distinct("оставям", "оставиш")


# --- 6. guards -----------------------------------------------------------------------------
@pytest.mark.parametrize("word", ["да", "не", "ес", "ред", "път", "съд", "ум", "ос"])
def test_short_words_survive(word):
    assert stem(word) == word


def test_same_lemma_short_word():
    assert stem("реда") == stem("ред")


@pytest.mark.parametrize("a,b", [
    ("град", "градина"),
    ("закон", "законност"),
    ("общ", "община"),
    ("съвет", "съветник"),
    ("проект", "проектант"),
    ("област", "областен"),
    ("съд", "съдба"),
    # known weakness: neuter -ило nouns look like the -л participle (говорило)
    pytest.param("право", "правило", marks=pytest.mark.xfail(strict=True, reason="-ило read as participle")),
    ("кмет", "кметство"),
])
def test_no_overstemming(a, b):
    distinct(a, b)


def test_exceptions():
    one_stem("дете детето деца децата")
    one_stem("ден деня денят дни дните")


# --- robustness ----------------------------------------------------------------------------
ODD = ["", " ", "123", "2024г", "abc", "ABC", "Covid-19", "ёж", "ыы", "😀", "ѝ", "Ѝ", "И\u0300",
       "a\u0301", "\x00", "\ud800", "София", "СОФИЯ", "-", "ъ", "ь", "й", "яя", "аааааааааааааа",
       "x" * 500, "п" * 500, "mixedкирилица", "кирилицаmixed", "\u200b", "ß", "İ"]


@pytest.mark.parametrize("word", ODD)
def test_never_raises_lowercase(word):
    out = stem(word)
    assert isinstance(out, str)
    assert out == out.lower()


def test_non_cyrillic_unchanged_lowercased():
    assert stem("Covid-19") == "covid-19"
    assert stem("ABC") == "abc"
    assert stem("2024") == "2024"


def test_case_and_grave_i_folded():
    assert stem("Законите") == stem("законите") == "закон"
    assert stem("ѝ") == stem("и")
    assert stem("СОФИЯ") == stem("софия")


def test_hypothesis_random_text():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.text())
    def check(s):
        out = stem(s)
        assert isinstance(out, str) and out == out.lower()

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъьюяѝ", max_size=30))
    def check_cyr(s):
        out = stem(s)
        assert out == out.lower() and len(out) <= len(s)

    check()
    check_cyr()


# --- Lucene's test suite ---------------------------------------------------------------------
# Word families from Apache Lucene's TestBulgarianStemmer.java
# (apache/lucene: lucene/analysis/common/src/test/org/apache/lucene/analysis/bg/
# TestBulgarianStemmer.java, Apache License 2.0). One case per commented group of its test
# methods; "conflate" means one kb stem per family (kb's stem string may differ from Lucene's).
# Where Lucene's own stemmer splits a group (градовце, мъжът, изключения) the forms stay in the
# family here, since they are inflections of the same noun. строя/строят (verb) are the 21st
# family, kept apart from the noun строй below.
LUCENE_FAMILIES = [
    "град града градът градове градовете",
    "народ народа народът народи народите народе",
    "път пътя пътят пътища пътищата",
    "градец градеца градецът градовце градовцете",
    "дядо дядото дядовци дядовците",
    "мъж мъжа мъже мъжете мъжо мъжът",
    "крак крака кракът краката",
    "брат брата братът братя братята брате",
    "вест вестта вести вестите",
    "дърво дървото дърва дървета дървата дърветата",
    "море морето морета моретата",
    "изключение изключението изключенията изключения",
    "красив красивия красивият красива красивата красиво красивото красиви красивите",
    "собственик собственика собственикът собственици собствениците",
    "подлог подлога подлогът подлози подлозите",
    "кожух кожуха кожухът кожуси кожусите",
    "център центъра центърът центрове центровете",
    "промяна промяната промени промените",
    "песен песента песни песните",
    "строй строеве строевете",
    "строя строят",
]
# stem() reads -ения as the participle (-ен + short article -ия); stem_for_search reads it as
# the plural of an -ение noun (see its docstring), so this one family meets in search only.
_STEM_SPLITS = {"изключение изключението изключенията изключения"}


@pytest.mark.parametrize("family", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason="-ения read as participle"))
    if f in _STEM_SPLITS else f for f in LUCENE_FAMILIES])
def test_lucene_families_stem(family):
    one_stem(family)


@pytest.mark.parametrize("family", LUCENE_FAMILIES)
def test_lucene_families_stem_for_search(family):
    stems = {w: stem_for_search(w) for w in family.split()}
    assert len(set(stems.values())) == 1, stems


def test_lucene_families_do_not_merge():
    stems = [{stem_for_search(w) for w in f.split()} for f in LUCENE_FAMILIES]
    for i, a in enumerate(stems):
        for b in stems[i + 1:]:
            assert not a & b, (a, b)


def test_verb_stroya_apart_from_noun_stroy():
    assert stem("строя") == stem("строят")
    assert stem("строй") == stem("строеве") == stem("строевете")
    distinct("строя", "строй")


# --- the alternations added for the Lucene families, on other words of the same classes ------
def test_neuter_eta_plurals():
    one_stem("момче момчето момчета момчетата")
    one_stem("гише гишето гишета гишетата")
    # masculine -ет + short article and -ет participles keep their -ет
    for w in ("съвета", "бюджета", "комитета", "отчета", "приета"):
        assert stem(w) == stem(w[:-1]), w
    one_stem("ракета ракетата ракети ракетите")


def test_mobile_e_of_ets_and_kin_ovci():
    one_stem("търговец търговеца търговецът търговци търговците")
    one_stem("батко батковци батковците")


def test_h_s_and_feminine_en():
    one_stem("слух слуха слухът слухове слуховете")  # х kept in the plural: still one stem
    one_stem("есен есента")
    assert stem("студента") == stem("студент")  # masculine -ент + -а is not a feminine -ен


def test_myana_nouns():
    one_stem("замяна замяната замени замените")
