"""The end every scorer's command line shares: print the report, keep it as JSON if asked, and
exit by its gate (0 when the measure holds its floor, 1 when not)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def finish(
    report: dict[str, Any], formatter: Callable[[dict[str, Any]], str], json_path: Path | None
) -> int:
    print(formatter(report))
    if json_path:
        json_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if report["gate_ok"] else 1
