"""The test suite. Tests run in the test environment, which may keep the development secret;
set here, before anything imports the app (which refuses that secret elsewhere but the demo)."""

import os

os.environ.setdefault("GODEGREP_ENVIRONMENT", "test")
