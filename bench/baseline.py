#!/usr/bin/env python3
"""The Python baseline of the benchmark (see BENCHMARKS.md): the district merge the way a
data-savvy user would script it with pandas + openpyxl, and a check that its figures equal
profplan's.

    baseline.py merge RETURNS OUT.xlsx [--only ACCEPTED.tsv]
        Opens every .xlsx in RETURNS with openpyxl, reads each field through its defined
        name PP_<code>, builds a long pandas table, sums every numeric field over the
        schools, computes every share as Σ numerator / Σ denominator (the share formulas
        come from `profplan plan --format json`, as a user would copy them from the plan),
        and writes a summary workbook (sheets «Данные» and «Свод»).
        --only: a TSV «file<TAB>school id» of the returns to merge (profplan's accepted
        ones, so that both tools merge the same set); every file is still opened and read.
        .ods returns are skipped: openpyxl does not read them.

    baseline.py verify OUT.xlsx PROFPLAN_SUMMARY.xlsx
        Compares the baseline's per-school values and district figures with profplan's
        summary («Данные», the documented long table) over the schools the baseline
        merged; exits 1 on any mismatch, naming it.

Timing is done by bench/run around `merge` only.
"""

import json
import math
import os
import re
import subprocess
import sys

import pandas as pd

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def number(v):
    """A cell value as a number, as a careful user would coerce it: «1 234» and «12,5»
    typed as text count; anything else (blank, «15 чел.») is None."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    return float(s) if NUMBER.match(s) else None


def read_return(path):
    """{code: value} for every PP_ name of one return."""
    import openpyxl  # here, not at the top: bench/calamine.py imports this module

    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, dn in wb.defined_names.items():
        if not name.upper().startswith("PP_"):
            continue
        for sheet, cell in dn.destinations:
            if sheet in wb.sheetnames and ":" not in cell:
                out[name[3:]] = wb[sheet][cell.replace("$", "")].value
    wb.close()
    return out


def shares_of_plan():
    """(code, numerator terms, denominator terms) of the campaign's shares, from profplan's
    JSON form description (`profplan plan --format json`), path in $PROFPLAN_PLAN_JSON."""
    with open(os.environ["PROFPLAN_PLAN_JSON"], encoding="utf-8") as f:
        plan = json.load(f)
    out = []

    def walk(o):
        if isinstance(o, dict):
            if "numerator" in o and "denominator" in o and "code" in o:
                out.append((o["code"], o["numerator"], o["denominator"]))
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(plan)
    return out


def expr_value(expr, sums):
    """Σ of a share's side: «a + b» (field codes and numbers, + only)."""
    total = 0.0
    for term in str(expr).split("+"):
        term = term.strip()
        if NUMBER.match(term):
            total += float(term)
        else:
            total += sums.get(term, 0.0)
    return total


def merge(returns, out, only):
    accepted = None
    if only:
        with open(only, encoding="utf-8") as f:
            accepted = dict(line.rstrip("\n").split("\t") for line in f if line.strip())
    rows = []
    skipped_ods = 0
    for name in sorted(os.listdir(returns)):
        path = os.path.join(returns, name)
        if name.lower().endswith(".ods"):
            skipped_ods += 1
            continue
        if not name.lower().endswith(".xlsx"):
            continue
        values = read_return(path)
        if accepted is not None and name not in accepted:
            continue
        school = accepted[name] if accepted is not None else name.split("_")[0]
        for code, v in values.items():
            rows.append({"school": school, "file": name, "code": code, "raw": v, "value": number(v)})
    df = pd.DataFrame(rows, columns=["school", "file", "code", "raw", "value"])
    # Fields only: the form's own share cells (formulas) and who-filled-it are not summed.
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
        df.drop(columns=["raw"]).to_excel(xw, sheet_name="Данные", index=False)
        svod.to_excel(xw, sheet_name="Свод", index=False)
        shares.to_excel(xw, sheet_name="Доли", index=False)
    print(f"baseline: {df['school'].nunique()} schools, {len(df)} values, "
          f"{skipped_ods} .ods skipped", file=sys.stderr)


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def verify(ours, theirs):
    mine = pd.read_excel(ours, sheet_name=None, dtype={"school": str})
    data = mine["Данные"]
    share_codes = {c for c, _, _ in shares_of_plan()}
    data = data[data["value"].notna() & ~data["code"].str.startswith("meta_")
                & ~data["code"].isin(share_codes)]
    schools = set(data["school"].astype(str))
    # profplan's «Данные» (past Excel's row limit it goes on in «Данные 2», «Данные 3», …):
    # find columns by header text, as its documentation says.
    book = pd.ExcelFile(theirs)
    parts = sorted((s for s in book.sheet_names if re.fullmatch(r"Данные( [0-9]+)?", s)),
                   key=lambda s: int(s.split(" ")[1]) if " " in s else 1)
    pp = pd.concat([pd.read_excel(book, sheet_name=s, dtype={"Код ОО": str}) for s in parts])
    pp = pp[pp["Код ОО"].isin(schools) & pp["Строка таблицы"].isna()]
    pp_values = {(r["Код ОО"], r["Код"]): r["Значение"] for _, r in pp.iterrows()}
    problems = []
    checked = 0
    for _, r in data.iterrows():
        key = (str(r["school"]), r["code"])
        if key not in pp_values:
            problems.append(f"{key}: value {r['value']} not in profplan's «Данные»")
            continue
        v = number(pp_values[key])
        if v is None or not close(v, float(r["value"])):
            problems.append(f"{key}: baseline {r['value']}, profplan {pp_values[key]!r}")
        checked += 1
    # District figures over the same schools, from profplan's per-school values.
    pp_num = {}
    for (school, code), v in pp_values.items():
        n = number(v)
        if n is not None and code not in share_codes and "." not in code:
            pp_num[code] = pp_num.get(code, 0.0) + n
    svod = mine["Свод"]
    for _, r in svod.iterrows():
        if not close(float(r["sum"]), pp_num.get(r["code"], float("nan"))):
            problems.append(f"Σ {r['code']}: baseline {r['sum']}, profplan {pp_num.get(r['code'])}")
    shares = mine["Доли"]
    pp_shares = {}
    for _, r in shares.iterrows():
        if pd.isna(r["share"]):
            continue
        # profplan writes a share per school; recompute Σnum/Σden from its field values.
        num, den = None, None
        for code, n, d in shares_of_plan():
            if code == r["code"]:
                num, den = expr_value(n, pp_num), expr_value(d, pp_num)
        pp_shares[r["code"]] = num / den if den else None
        if pp_shares[r["code"]] is None or not close(r["share"], pp_shares[r["code"]]):
            problems.append(f"доля {r['code']}: baseline {r['share']}, profplan {pp_shares[r['code']]}")
    pp_schools = set(pp["Код ОО"])
    if pp_schools != schools:
        problems.append(f"schools differ: only baseline {sorted(schools - pp_schools)[:5]}, "
                        f"only profplan {sorted(pp_schools - schools)[:5]}")
    for p in problems[:20]:
        print("MISMATCH", p, file=sys.stderr)
    if problems:
        print(f"baseline verify: {len(problems)} mismatches", file=sys.stderr)
        sys.exit(1)
    print(f"baseline verify: {checked} values, {len(svod)} sums, {len(pp_shares)} shares "
          f"of {len(schools)} schools equal profplan's", file=sys.stderr)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["merge"] and len(a) >= 3:
        only = a[a.index("--only") + 1] if "--only" in a else None
        merge(a[1], a[2], only)
    elif a[:1] == ["verify"] and len(a) == 3:
        verify(a[1], a[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
