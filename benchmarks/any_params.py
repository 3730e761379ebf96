"""Count function parameters typed plainly `Any` (or `Any | None`) in flows/ and tasks/.

    python benchmarks/any_params.py [FOLDER ...]

Prints the total and the count per file, most first (issue 12 asks for fewer than 20).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def any_params(path: Path) -> int:
    """Parameters of the functions in `path` annotated `Any` or `Any | None`."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
            count += sum(
                p.annotation is not None and ast.unparse(p.annotation) in ("Any", "Any | None")
                for p in params
            )
    return count


def main(folders: list[str]) -> None:
    counts = {
        str(p.relative_to(ROOT)): n
        for folder in folders
        for p in sorted((ROOT / folder).rglob("*.py"))
        if (n := any_params(p))
    }
    print(f"Any parameters: {sum(counts.values())}")
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:4d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["flows", "tasks"])
