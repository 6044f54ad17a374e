#!/usr/bin/env python3
"""pdf.py: times `report --format pdf` (the HTML report printed by headless Chromium) on the demo
store and on a generated store of ITEMS items and EVENTS events, beside `report --format html`
alone, as whole processes; prints a Markdown table of medians with the pages and the size of
each PDF. Needs chromium and poppler-utils (deps.txt).

usage: pdf.py BUILD_DIR [--items 10000] [--events 1000000] [--runs 3]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import measure, remove_store, run_store  # noqa: E402


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if shutil.which("chromium") is None or shutil.which("pdfinfo") is None:
        sys.exit("pdf.py: needs chromium and pdfinfo (make deps)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    docket = os.path.join(a.build, "docket")
    work = os.path.join(a.build, "bench")
    # The same generated store as bench.py's of this size, made once.
    db = run_store(a.build, root, "store", [str(a.items), str(a.events)], "pdf-run.db")
    demo = os.path.join(work, "pdf-demo.db")
    remove_store(demo)
    subprocess.run([docket, "-d", demo, "init"], check=True, stdout=subprocess.DEVNULL)
    out = tempfile.mkdtemp(prefix="docket-bench-pdf-")
    # A large report may run past the 30 s that its sections are allowed by default, and its
    # print past the 120 s that Chromium is: a benchmark measures, it does not stop.
    env = dict(os.environ, DOCKET_ACTOR="bench", DOCKET_REPORT_TIMEOUT_MS="600000",
               DOCKET_PDF_TIMEOUT="3600")
    browser = subprocess.run(["chromium", "--version"], capture_output=True,
                             text=True).stdout.strip()
    print(f"report --format pdf: medians of {a.runs} runs after a warm-up, whole processes, "
          f"{os.cpu_count()} cores, {browser}\n")
    print("| store | html s | pdf s (min-max) | pages | PDF MiB |")
    print("|---|---|---|---|---|")
    try:
        for label, store in (("demo", demo), (f"{a.items} items, {a.events} events", db)):
            pdf = os.path.join(out, "report.pdf")
            html = measure([docket, "-d", store, "report", "--format", "html", "-o",
                            os.path.join(out, "report.html")], env, a.runs)
            m = measure([docket, "-d", store, "report", "--format", "pdf", "-o", pdf], env,
                        a.runs)
            print(f"| {label} | {html[0]:.2f} | {m[0]:.2f} ({m[1]:.2f}-{m[2]:.2f}) | "
                  f"{pdf_pages(pdf)} | {os.path.getsize(pdf) / 1048576:.1f} |", flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        remove_store(demo)
        remove_store(db)
    print()


if __name__ == "__main__":
    main()
