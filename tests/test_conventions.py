"""The layer rules of DESIGN.md ("The house", "Dependency direction"), checked on every module.

One parametrised test per rule, each over every file it governs, so a module that breaks a rule
fails under its own name:
- no streamlit below components (queries/, analytics/, db/, ingest/);
- no SQL (SQLAlchemy statement builders, text(), execute calls) outside queries/, db/, ingest/;
- analytics/ imports nothing of ours;
- nothing imports pages/;
- page files at most 150 lines;
- every widget call in pages/ and components/ has an explicit key= .
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = ("analytics", "components", "db", "ingest", "pages", "queries")
OUR_MODULES = (*OUR_PACKAGES, "app", "cli")
MAX_PAGE_LINES = 150
# SQLAlchemy names that build or run SQL; types, engines and exceptions are fine anywhere.
SQL_NAMES = frozenset(
    {
        "select",
        "text",
        "insert",
        "update",
        "delete",
        "func",
        "and_",
        "or_",
        "not_",
        "case",
        "literal",
        "literal_column",
        "column",
        "table",
        "Table",
        "MetaData",
        "bindparam",
        "exists",
        "union",
        "union_all",
        "cast",
        "distinct",
        "true",
        "false",
        "null",
    }
)
SQL_CALLS = frozenset({"execute", "exec_driver_sql", "scalar", "scalars"})
# Streamlit calls that make an interactive widget (its state lives under its key).
WIDGETS = frozenset(
    {
        "button",
        "camera_input",
        "chat_input",
        "checkbox",
        "color_picker",
        "data_editor",
        "date_input",
        "download_button",
        "feedback",
        "file_uploader",
        "form_submit_button",
        "multiselect",
        "number_input",
        "pills",
        "radio",
        "segmented_control",
        "select_slider",
        "selectbox",
        "slider",
        "text_area",
        "text_input",
        "time_input",
        "toggle",
    }
)


def _files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of every import, relative ones resolved to a top-level name of ours."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def _top(module: str) -> str:
    return module.lstrip(".").split(".")[0]


BELOW_COMPONENTS = _files("queries", "analytics", "db", "ingest")
OUTSIDE_SQL_LAYERS = [*_files("analytics", "components", "pages"), ROOT / "app.py"]
ANALYTICS = _files("analytics")
EVERYTHING = [*_files(*OUR_PACKAGES), ROOT / "app.py", ROOT / "cli.py"]
PAGES = _files("pages")
UI = _files("pages", "components") + [ROOT / "app.py"]


@pytest.mark.parametrize("path", BELOW_COMPONENTS, ids=_ids(BELOW_COMPONENTS))
def test_no_streamlit_below_components(path: Path) -> None:
    bad = [(line, m) for line, m in _imported_modules(_tree(path)) if _top(m) == "streamlit"]
    assert not bad, f"{path.name} imports streamlit (lines {[b[0] for b in bad]})"


@pytest.mark.parametrize("path", OUTSIDE_SQL_LAYERS, ids=_ids(OUTSIDE_SQL_LAYERS))
def test_no_sql_outside_queries_db_and_ingest(path: Path) -> None:
    tree = _tree(path)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _top(node.module or "") == "sqlalchemy":
            bad += [(node.lineno, a.name) for a in node.names if a.name in SQL_NAMES]
        if isinstance(node, ast.Import):
            bad += [(node.lineno, a.name) for a in node.names if a.name.startswith("sqlalchemy")]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            bad.append((node.lineno, f".{node.func.attr}()"))
    assert not bad, f"SQL outside queries/, db/ and ingest/: {bad}"


@pytest.mark.parametrize("path", ANALYTICS, ids=_ids(ANALYTICS))
def test_analytics_imports_nothing_of_ours(path: Path) -> None:
    bad = [
        (line, m)
        for line, m in _imported_modules(_tree(path))
        if _top(m) in OUR_MODULES and _top(m) != "analytics" or m.startswith("..")
    ]
    assert not bad, f"analytics imports {bad}"


@pytest.mark.parametrize("path", EVERYTHING, ids=_ids(EVERYTHING))
def test_nothing_imports_pages(path: Path) -> None:
    bad = [(line, m) for line, m in _imported_modules(_tree(path)) if _top(m) == "pages"]
    assert not bad, f"{path.name} imports a page: {bad}"


@pytest.mark.parametrize("path", PAGES, ids=_ids(PAGES))
def test_page_files_are_thin(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_PAGE_LINES, f"{path.name} has {lines} lines (at most {MAX_PAGE_LINES})"


@pytest.mark.parametrize("path", UI, ids=_ids(UI))
def test_every_widget_has_a_key(path: Path) -> None:
    unkeyed = [
        (node.lineno, node.func.attr)
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WIDGETS
        and not any(keyword.arg == "key" for keyword in node.keywords)
    ]
    assert not unkeyed, f"widgets without key= in {path.name}: {unkeyed}"


def test_the_rules_see_the_files() -> None:
    # Guards against a moved folder silently emptying a parametrisation.
    assert BELOW_COMPONENTS and ANALYTICS and PAGES and len(UI) > len(PAGES)
