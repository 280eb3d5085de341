"""The project's layout holds: no app imports another app, and ``portal`` imports no app.

Shared pieces live in ``portal``; an app that needs something of another app
means that piece belongs in ``portal``. The sandbox counts as an app. Settings
and ``portal/urls.py`` name apps as strings (INSTALLED_APPS, ``include``),
which is not an import. Tests and scripts may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("bookings", "selfservice", "trialoffers", "sandbox")
PACKAGES = ("portal", *APPS)


def imported_packages(path: Path, package: str) -> set[str]:
    """The top-level packages a module imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: never leaves the package unless it climbs above it
                depth = len(path.relative_to(ROOT).parts) - 1
                found.add(package if node.level <= depth else "..")
            elif node.module:
                found.add(node.module.split(".")[0])
    return found


def crossings() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for imported in imported_packages(path, package) & {*APPS, ".."}:
                if imported != package:
                    problems.append(f"{path.relative_to(ROOT)} imports {imported}")
    return problems


def test_no_app_imports_another_app_and_portal_imports_no_app():
    assert crossings() == []


def test_the_check_finds_each_kind_of_crossing(tmp_path, monkeypatch):
    files = {
        "portal/lib/bad.py": "import trialoffers.models\n",
        "bookings/views.py": "from portal.members import sign_in\nfrom bookings import services\nfrom . import rows\n",
        "selfservice/views.py": "from sandbox.faults import configure\n",
        "sandbox/ops/deep.py": "from ... import above\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert crossings() == [
        "portal/lib/bad.py imports trialoffers",
        "selfservice/views.py imports sandbox",
        "sandbox/ops/deep.py imports ..",
    ]
