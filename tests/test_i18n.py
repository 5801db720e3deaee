"""Every interface string is translated into Bulgarian and Spanish, and the compiled catalogs are current."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "kb" / "web" / "translations"


def extracted_ids():
    method_map = [("kb/**.py", "python"), ("kb/web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "lazy_gettext": None}
    return {msg for _f, _l, msg, _c, _x in extract_from_dir(str(ROOT), method_map, keywords=keywords)
            if isinstance(msg, str)}


@pytest.mark.parametrize("lang", ["bg", "es"])
def test_every_interface_string_is_translated(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(i for i in extracted_ids() if not translated.get(i))
    assert not missing, f"untranslated in {lang}: {missing}"


@pytest.mark.parametrize("lang", ["bg", "es"])
def test_compiled_catalog_matches_the_po_file(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    def plain(v):                   # plural forms: a tuple from the .po, a list from the .mo
        return v if isinstance(v, str) else tuple(v)

    with open(folder / "messages.po", "rb") as fh:
        po = {plain(m.id): plain(m.string) for m in read_po(fh) if m.id}
    with open(folder / "messages.mo", "rb") as fh:
        mo = {plain(m.id): plain(m.string) for m in read_mo(fh) if m.id}
    assert po == mo, "run `make translations` to recompile the .mo files"
