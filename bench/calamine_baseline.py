#!/usr/bin/env python3
"""The second, faster Python baseline of the benchmark (see BENCHMARKS.md, issue 13): the
district merge the way a user who knows the quickest Python reader would script it —
python-calamine (Rust's calamine under Python) + pandas, no validation.

    pip install python-calamine pandas openpyxl

    calamine_baseline.py merge RETURNS OUT.xlsx [--only ACCEPTED.tsv]
        Reads the form sheet «Отчёт» of every .xlsx/.ods in RETURNS with python-calamine,
        takes each row's code from the hidden column A and its value from column E,
        sums every numeric field over the schools by row code, computes every share as
        Σ numerator / Σ denominator (formulas from `profplan plan --format json`, path in
        $PROFPLAN_PLAN_JSON), writes a small summary workbook (sheets «Свод», «Доли») and
        the per-school values beside it as OUT.values.csv (the long table would not fit a
        sheet at 40 000 schools).
        --only: a TSV «file<TAB>school id» of the returns to merge (profplan's accepted
        ones, so that both tools merge the same set); every file is still opened and read.

    calamine_baseline.py verify OUT.xlsx PROFPLAN_SUMMARY.xlsx
        Compares the per-school values and district figures with profplan's summary (every
        sheet whose name starts with «Данные», the documented long table, read with
        pandas' calamine engine) over the schools merged; exits 1 on any mismatch.

Timing is done by bench/run around `merge` only.
"""

import os
import sys

import pandas as pd
from python_calamine import CalamineWorkbook

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline import close, expr_value, number, shares_of_plan  # noqa: E402

FORM_SHEET = "Отчёт"
CODE_COL, VALUE_COL = 0, 4  # hidden column A (row code), column E (the value)


def read_return(path):
    """{code: value} for every coded row of the form sheet of one return."""
    wb = CalamineWorkbook.from_path(path)
    rows = wb.get_sheet_by_name(FORM_SHEET).to_python(skip_empty_area=False)
    wb.close()
    out = {}
    for r in rows:
        if len(r) > VALUE_COL and isinstance(r[CODE_COL], str) and r[CODE_COL]:
            v = r[VALUE_COL]
            out[r[CODE_COL]] = None if v == "" else v
    return out


def merge(returns, out, only):
    accepted = None
    if only:
        with open(only, encoding="utf-8") as f:
            accepted = dict(line.rstrip("\n").split("\t") for line in f if line.strip())
    schools, codes, values = [], [], []
    for name in sorted(os.listdir(returns)):
        if not name.lower().endswith((".xlsx", ".ods")):
            continue
        try:
            row = read_return(os.path.join(returns, name))
        except Exception as e:  # a broken file: a script like this just skips it
            print(f"skip {name}: {e}", file=sys.stderr)
            continue
        if accepted is not None and name not in accepted:
            continue
        school = accepted[name] if accepted is not None else name.split("_")[0]
        for code, v in row.items():
            schools.append(school)
            codes.append(code)
            values.append(number(v))
    df = pd.DataFrame({"school": schools, "code": codes, "value": values})
    share_codes = [c for c, _, _ in shares_of_plan()]
    numeric = df[df["value"].notna() & ~df["code"].str.startswith("meta_")
                 & ~df["code"].isin(share_codes)]
    sums = numeric.groupby("code")["value"].sum()
    reported = numeric.groupby("code")["school"].nunique()
    svod = pd.DataFrame({"sum": sums, "schools": reported}).reset_index()
    share_rows = []
    for code, num, den in shares_of_plan():
        n, d = expr_value(num, sums), expr_value(den, sums)
        share_rows.append({"code": code, "numerator": n, "denominator": d,
                           "share": n / d if d > 0 else None})
    shares = pd.DataFrame(share_rows, columns=["code", "numerator", "denominator", "share"])
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        svod.to_excel(xw, sheet_name="Свод", index=False)
        shares.to_excel(xw, sheet_name="Доли", index=False)
    numeric.to_csv(out + ".values.csv", index=False)
    print(f"calamine baseline: {df['school'].nunique()} schools, {len(df)} values",
          file=sys.stderr)


def verify(ours, theirs):
    mine = pd.read_excel(ours, sheet_name=None, engine="calamine")
    data = pd.read_csv(ours + ".values.csv", dtype={"school": str})
    schools = set(data["school"])
    wb = CalamineWorkbook.from_path(theirs)
    parts = [s for s in wb.sheet_names if s.startswith("Данные")]
    wb.close()
    if not parts:
        print("calamine verify: no «Данные» sheet in profplan's summary", file=sys.stderr)
        sys.exit(1)
    pp = pd.concat([pd.read_excel(theirs, sheet_name=s, engine="calamine",
                                  dtype={"Код ОО": str}) for s in parts])
    pp = pp[pp["Код ОО"].isin(schools) & pp["Строка таблицы"].isna()]
    pp_values = dict(zip(zip(pp["Код ОО"], pp["Код"]), pp["Значение"]))
    share_codes = {c for c, _, _ in shares_of_plan()}
    problems = []
    for school, code, value in zip(data["school"], data["code"], data["value"]):
        v = number(pp_values.get((school, code)))
        if v is None or not close(v, float(value)):
            problems.append(f"{(school, code)}: baseline {value}, "
                            f"profplan {pp_values.get((school, code))!r}")
    pp_num = {}
    for (school, code), v in pp_values.items():
        n = number(v)
        if n is not None and code not in share_codes and "." not in code \
                and not code.startswith("meta_"):
            pp_num[code] = pp_num.get(code, 0.0) + n
    svod = mine["Свод"]
    for code, s in zip(svod["code"], svod["sum"]):
        if not close(float(s), pp_num.get(code, float("nan"))):
            problems.append(f"Σ {code}: baseline {s}, profplan {pp_num.get(code)}")
    checked_shares = 0
    for code, num, den in shares_of_plan():
        row = mine["Доли"][mine["Доли"]["code"] == code]
        if row.empty or pd.isna(row["share"].iloc[0]):
            continue
        n, d = expr_value(num, pp_num), expr_value(den, pp_num)
        if not d or not close(float(row["share"].iloc[0]), n / d):
            problems.append(f"доля {code}: baseline {row['share'].iloc[0]}, profplan {n}/{d}")
        checked_shares += 1
    pp_schools = set(pp["Код ОО"])
    if pp_schools != schools:
        problems.append(f"schools differ: only baseline {sorted(schools - pp_schools)[:5]}, "
                        f"only profplan {sorted(pp_schools - schools)[:5]}")
    for p in problems[:20]:
        print("MISMATCH", p, file=sys.stderr)
    if problems:
        print(f"calamine verify: {len(problems)} mismatches", file=sys.stderr)
        sys.exit(1)
    print(f"calamine verify: {len(data)} values, {len(svod)} sums, {checked_shares} shares "
          f"of {len(schools)} schools equal profplan's", file=sys.stderr)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["merge"] and len(a) >= 3:
        merge(a[1], a[2], a[a.index("--only") + 1] if "--only" in a else None)
    elif a[:1] == ["verify"] and len(a) == 3:
        verify(a[1], a[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
