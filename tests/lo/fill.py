#!/usr/bin/python3
"""Fill profplan forms inside LibreOffice, as a person typing would, and save them.

Used by the test suite (tests/it/libreoffice.rs) to prove that forms filled and saved by a
real spreadsheet application are read exactly. Runs with the system Python that has the
UNO bridge (Debian: python3-uno), e.g. `/usr/bin/python3 tests/lo/fill.py jobs.json`.

jobs.json:
{"jobs": [{"input": "form.xlsx",
           "values": {"PP_p2_1_covered": 12, "PP_p1_2_mark": "выполнено", ...},
           "tables": {"PPT_t1_6": [["физика", "муниципальный", 5, 1], ...]},
           "outputs": [{"path": "out.xlsx", "format": "xlsx"}, {"path": "out.ods", "format": "ods"}]}]}

Values are entered through the cells' defined names. Strings are entered with
`setFormula`, which parses the text exactly as typing it into the cell would (so "12"
becomes the number 12 and "да" stays text); numbers with `setValue`.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue

FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "ods": "calc8",
    "xls": "MS Excel 97",
}


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            ctx = resolver.resolve(
                "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx)
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def enter(cell, value):
    if value is None:
        cell.setString("")
    elif isinstance(value, bool):
        cell.setFormula("TRUE" if value else "FALSE")
    elif isinstance(value, (int, float)):
        cell.setValue(value)
    else:
        cell.setFormula(str(value))


def run(jobs):
    profile = tempfile.mkdtemp(prefix="lo-fill-")
    pipe = "profplan_" + uuid.uuid4().hex
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore",
         "--nodefault", "-env:UserInstallation=file://" + profile,
         "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = connect(pipe)
        for job in jobs:
            url = uno.systemPathToFileUrl(os.path.abspath(job["input"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            names = doc.NamedRanges
            for name, value in job.get("values", {}).items():
                cells = names.getByName(name).getReferredCells()
                enter(cells.getCellByPosition(0, 0), value)
            for name, rows in job.get("tables", {}).items():
                area = names.getByName(name).getReferredCells()
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        if value is not None:
                            enter(area.getCellByPosition(c, r), value)
            doc.calculateAll()
            for out in job["outputs"]:
                target = uno.systemPathToFileUrl(os.path.abspath(out["path"]))
                doc.storeToURL(target, (prop("FilterName", FILTERS[out["format"]]),))
            doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        run(json.load(f)["jobs"])
