"""English <-> Spanish word translations from Apertium's eng-spa pair (Debian ``apertium-eng-spa``),
read through lttoolbox's ``lt-proc``: the larger lexicon that fills FreeDict's gaps.

FreeDict's English-Spanish dictionaries (Ergane) hold ~5,900 and ~4,500 headwords and miss much
of an administration's vocabulary: ``tourism``, ``training`` as formación, ``skill``. Apertium's
bilingual dictionary is a rule-based MT system's lexicon, kept by the Apertium project and packaged
by Debian; its data ship only compiled (``*.bin`` transducers), so kb asks ``lt-proc`` rather
than parsing them:

    lt-proc -w eng-spa.automorf.bin     surface word -> analyses  (skills -> skill<n><pl>)
    lt-proc -b eng-spa.autobil.bin      analysis -> translations   (skill<n><pl> -> destreza<n>..., habilidad<n>...)

run once per direction over a word list of the source language (the dictionaries' own
vocabulary, kb.lang.dictionary), in two batched calls (~1 s for 29,000 English and 86,000
Spanish words). The result is a table surface word -> target lemmas, in the analyser's order.

Packages and licences (Debian bookworm): apertium-eng-spa 0.8.1 (GPL-2, Universitat d'Alacant),
lttoolbox 3.7.1 (GPL-2+). The data are only read at run time, never redistributed with kb.
Nothing here raises: without the package or ``lt-proc``, ``read_pair`` returns None.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

DATA_DIR = "/usr/share/apertium/apertium-eng-spa"
PAIRS = {("en", "es"): "eng-spa", ("es", "en"): "spa-eng"}
TIMEOUT = 60                      # seconds for one lt-proc call (a whole word list)

_UNIT = re.compile(r"\^([^/$]*)/([^$]*)\$")


def available(data_dir: str = DATA_DIR) -> bool:
    return shutil.which("lt-proc") is not None and all(
        os.path.isfile(os.path.join(data_dir, f"{name}.{kind}.bin"))
        for name in PAIRS.values() for kind in ("automorf", "autobil"))


def _lt_proc(mode: str, transducer: str, units: list[str]) -> str:
    out = subprocess.run(["lt-proc", mode, transducer], input="\n".join(units) + "\n",
                         capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return out.stdout


def analyses(stream: str) -> dict[str, list[str]]:
    """lt-proc's analyser output -> surface word (lower case) -> its analyses ('skill<n><pl>');
    unknown words (*word) and joined analyses (can<vaux>+not<adv>) left out."""
    out: dict[str, list[str]] = {}
    for m in _UNIT.finditer(stream):
        found = [a for a in m.group(2).split("/") if "<" in a and not a.startswith("*") and "+" not in a]
        if found:
            out.setdefault(m.group(1).lower(), found)
    return out


def translations(stream: str) -> dict[str, list[str]]:
    """lt-proc's bilingual output -> analysis -> target lemmas (lower case, tags dropped,
    multi-word lemmas with spaces; untranslated @... and *... left out)."""
    out: dict[str, list[str]] = {}
    for m in _UNIT.finditer(stream):
        targets = []
        for t in m.group(2).split("/"):
            if t.startswith(("@", "*")):
                continue
            lemma = re.sub(r"<.*", "", t).replace("#", " ").replace("_", " ").strip().lower()
            lemma = " ".join(lemma.split())
            if lemma and lemma not in targets:
                targets.append(lemma)
        out[m.group(1)] = targets
    return out


def read_pair(src: str, dst: str, words, data_dir: str = DATA_DIR) -> dict[str, list[str]] | None:
    """Surface word of ``src`` -> its translations into ``dst``, for the given words (single
    words of letters only are asked); None when the pair or lt-proc is not installed or fails."""
    name = PAIRS.get((src, dst))
    if name is None or not available(data_dir):
        return None
    asked = sorted({w.lower() for w in words if w and w.isalpha()})
    try:
        morf = analyses(_lt_proc("-w", os.path.join(data_dir, f"{name}.automorf.bin"), asked))
        units = sorted({a for found in morf.values() for a in found})
        bil = translations(_lt_proc("-b", os.path.join(data_dir, f"{name}.autobil.bin"),
                                    [f"^{a}$" for a in units]))
    except (OSError, subprocess.SubprocessError, UnicodeError):
        return None
    table: dict[str, list[str]] = {}
    for word, found in morf.items():
        targets: list[str] = []
        # the readings whose lemma is the word itself first: 'training' the noun (formación)
        # before the verb form of 'train' (entrenar)
        for a in sorted(found, key=lambda a: a.split("<", 1)[0].lower() != word):
            for t in bil.get(a, []):
                if t not in targets and t != word:
                    targets.append(t)
        if targets:
            table[word] = targets
    return table
