"""newsflow flows: Prefect flows, deployments and the command line.

Importing this package sets Prefect's environment defaults (never overriding what the user set):
with no PREFECT_API_URL, flows run against Prefect's own local API under PREFECT_HOME.
"""

import os
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parent.parent

for _key, _value in {
    "PREFECT_HOME": str(_PROJECT_ROOT / ".prefect"),
    # The embedded server can take longer than the 20 s default to start on a busy 2-core box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_key, _value)
