"""newsflow flows: Prefect flows, deployments and the command line.

Importing this package sets Prefect's environment defaults (never overriding what the user set):
with no PREFECT_API_URL, flows run against Prefect's own local API under PREFECT_HOME, which is
`.prefect/` in a checkout and Prefect's own default (`~/.prefect`) for an installed newsflow.
"""

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "config").is_dir():
    os.environ.setdefault("PREFECT_HOME", str(_CHECKOUT / ".prefect"))

for _key, _value in {
    # The embedded server can take longer than the 20 s default to start on a busy 2-core box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_key, _value)
