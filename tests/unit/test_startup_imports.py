"""What an app process loads before anyone asks for a PDF or a spreadsheet.

Every worker holds what it imports for as long as it runs; the benchmark's memory aim is per
process (tests/bench/autosave.py). WeasyPrint (about 40 MB with pango) and openpyxl (about
9 MB) are needed only by the exports, so they are imported there, on the first export. Authlib
(about 13 MB) is needed only when an identity provider is configured (app.accounts.oidc).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def loaded_at_start(env: dict[str, str]) -> set[str]:
    probe = "import sys, app.main; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_the_app_starts_without_the_pdf_and_spreadsheet_libraries() -> None:
    loaded = loaded_at_start({})
    assert {"app.trend.export", "app.review.export"} <= loaded  # the exports are there
    assert not {"weasyprint", "openpyxl"} & loaded


def test_the_app_starts_without_authlib_when_no_identity_provider_is_configured() -> None:
    # tests/http/test_oidc.py logs in through a provider, which loads it on first use
    names = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
    loaded = loaded_at_start({f"GODEGREP_OIDC_{name}": "" for name in names})
    assert "app.accounts.oidc" in loaded
    assert "authlib" not in loaded
