"""The package layout holds: one direction of imports, no borrowed private names, small modules.

Reads the source with :mod:`ast` (nothing is imported), so a violation fails here with the file
and the line, before a reviewer has to find it.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "magpie"

#: Layers, lowest first. A module may import its own top-level package and lower layers only:
#: api/ui -> the front door -> domain packages -> db -> models and the base modules.
LAYERS = (
    {"crypto"},
    {"config", "errors", "gc_pause", "server", "variables"},
    {"models"},
    {"names", "audit"},
    {"db"},
    {"sync", "accounts"},
    {"permissions"},
    {"services"},
    {"resources"},
    {"setup_files"},
    {"jobs"},
    {"helpers"},
    {"api", "ui"},
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
MAX_LINES = 300


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "alembic" not in path.parts)


def top_package(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if parts[0] != "__init__" else ""


def imports_of(path: Path):
    """(line, imported module, imported names) of every ``magpie`` import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "magpie":
            yield node.lineno, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "magpie":
                    yield node.lineno, alias.name, []


def target_package(module: str, names) -> list:
    parts = module.split(".")
    if len(parts) > 1:
        return [parts[1]]
    return list(names)  # "from magpie import db, models"


def test_every_top_level_name_has_a_layer():
    names = {top_package(path) for path in modules()} - {""}
    assert names <= set(RANK), f"give these a layer in LAYERS: {sorted(names - set(RANK))}"


def test_imports_go_one_way():
    wrong = []
    for path in modules():
        source = top_package(path)
        if not source:
            continue  # magpie/__init__.py assembles the application from every package
        for line, module, names in imports_of(path):
            for target in target_package(module, names):
                if target in RANK and target != source and RANK[target] >= RANK[source]:
                    wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({source}) imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_module_imports_another_modules_private_names():
    borrowed = [f"{path.relative_to(PACKAGE)}:{line} imports {name} from {module}"
                for path in modules() for line, module, names in imports_of(path)
                for name in names if name.startswith("_")]
    assert not borrowed, "\n".join(borrowed)


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by concern"


@pytest.mark.parametrize("path", sorted((PACKAGE / "ui" / "static").glob("*.js")), ids=lambda path: path.name)
def test_page_scripts_stay_small(path):
    """The pages' plain scripts too: one concern each, loaded in order (no build step)."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"magpie/ui/static/{path.name} has {lines} lines: split it by concern"


def test_each_package_says_what_it_holds_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(docstring) > 80, f"{init.relative_to(PACKAGE)} needs a docstring saying what it holds"
