"""Build judge2.tsv (second, independent judge) from judge2-notes.tsv.

judge2-notes.tsv has one line per published record: record_id, the non-zero grades as
"<need letter><grade>" separated by spaces ("-" when none), and a short reason.
Each need letter stands for one need text of the sample (several sampled queries share a need;
the need was graded once and the grade is copied to each of its queries).
Every published record not graded non-zero gets 0 for every sampled query.

Run: python3 bench/relevance/judge2_build.py
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# Sampling rule: within each language value, in queries.jsonl order, the 1st, 5th, 9th and 13th query.
NEEDS = {
    "A": ["q001", "q002", "q003"],  # one-stop shop
    "B": ["q023", "q024"],          # mobile office / visiting days in villages
    "C": ["q021", "q022"],          # open data
    "D": ["q030"],                  # SMS / messaging alerts
    "E": ["q034"],                  # quality of administrative service
    "F": ["q043"],                  # electronic services
    "G": ["q047"],                  # building permits transparency / anti-corruption
    "H": ["q056"],                  # responsible declaration instead of licence
    "I": ["q060"],                  # social/environmental clauses, lots for SMEs
    "J": ["q008"],                  # once-only
    "K": ["q027"],                  # corruption reporting channel
    "L": ["q069"],                  # e-government platform for small municipalities
    "M": ["q073"],                  # minor contracts
    "N": ["q006"],                  # participatory budget
    "O": ["q081"],                  # corruption risks in procurement
    "P": ["q085"],                  # citizen satisfaction measurement
}


def published_ids():
    ids = []
    for path in sorted((ROOT / "corpus").glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        front = text.split("+++")[1]
        if any(line.strip() == 'status = "published"' for line in front.splitlines()):
            ids.append(path.stem)
    return ids


def main():
    grades = {}
    for n, line in enumerate((HERE / "judge2-notes.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            sys.exit(f"judge2-notes.tsv:{n}: expected 3 tab-separated fields, got {len(parts)}")
        rid, codes, _reason = parts
        if rid in grades:
            sys.exit(f"judge2-notes.tsv:{n}: {rid} graded twice")
        g = {}
        if codes.strip() != "-":
            for code in codes.split():
                letter, grade = code[0], code[1:]
                if letter not in NEEDS or grade not in ("1", "2"):
                    sys.exit(f"judge2-notes.tsv:{n}: bad grade code {code!r}")
                g[letter] = int(grade)
        grades[rid] = g
    pub = published_ids()
    unknown = sorted(set(grades) - set(pub))
    if unknown:
        sys.exit(f"judge2-notes.tsv: not published records: {unknown}")
    missing = [r for r in pub if r not in grades]
    rows = []
    for letter, qids in NEEDS.items():
        for qid in qids:
            for rid in pub:
                if rid in grades:
                    rows.append(f"{qid}\t{rid}\t{grades[rid].get(letter, 0)}")
    rows.sort()
    (HERE / "judge2.tsv").write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    print(f"{len(grades)} of {len(pub)} published records graded; {len(rows)} rows written; "
          f"{len(missing)} records still to grade")


if __name__ == "__main__":
    main()
