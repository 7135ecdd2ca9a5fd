"""What an app process loads before anyone asks for a PDF or a spreadsheet.

Every worker holds what it imports for as long as it runs; the benchmark's memory aim is per
process (tests/bench/autosave.py). WeasyPrint (about 40 MB with pango) and openpyxl (about
9 MB) are needed only by the exports, so they are imported there, on the first export.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_starts_without_the_pdf_and_spreadsheet_libraries() -> None:
    probe = "import sys, app.main; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert {"app.trend.export", "app.review.export"} <= loaded  # the exports are there
    assert not {"weasyprint", "openpyxl"} & loaded
