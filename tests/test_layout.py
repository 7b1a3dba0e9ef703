"""The shape of the package: no import circle, no crowded folder, one database."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "points_mall"
MAX_MODULES = 15


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package by its __init__.py)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules this one imports, wherever the import stands (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                # `from a import b` imports the module a.b when there is one, else a name from a
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {t for t in targets if t in modules and t != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_of_the_package_imports_itself_round_a_circle():
    cycle = _cycle(_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_circle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_folder_holds_more_than_fifteen_modules():
    crowded = {str(folder.relative_to(PACKAGE.parent)): n for folder in [PACKAGE, *PACKAGE.rglob("*/")]
               if folder.is_dir() and (n := len(list(folder.glob("*.py")))) > MAX_MODULES}
    assert not crowded, crowded


def _names_another_database_or_asks_which(source: str) -> bool:
    """"sqlite" anywhere, or a question to SQLAlchemy about the dialect: `.dialect`, `dialect=`, a type
    `with_variant` or DDL `ddl_if` (PostgreSQL's own statements, imported from its dialect, are no question)."""
    if "sqlite" in source.lower():
        return True
    return any(isinstance(node, ast.Attribute) and node.attr in ("dialect", "with_variant", "ddl_if")
               or isinstance(node, ast.keyword) and node.arg == "dialect"
               or isinstance(node, ast.Name) and node.id == "dialect"
               for node in ast.walk(ast.parse(source)))


def test_no_code_names_another_database_or_asks_which_one_it_runs_on():
    asking = sorted(str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob("*.py")
                    if _names_another_database_or_asks_which(path.read_text()))
    assert not asking, asking


def test_the_database_check_sees_the_questions_it_is_meant_to():
    assert _names_another_database_or_asks_which('if bind.dialect.name == "postgresql": pass')
    assert _names_another_database_or_asks_which("BigInteger().with_variant(Integer, 'SQLite')")
    assert _names_another_database_or_asks_which("Index('ix', column).ddl_if(dialect='postgresql')")
    assert not _names_another_database_or_asks_which("from sqlalchemy.dialects.postgresql import insert")
