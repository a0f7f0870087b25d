"""The layout shows the architecture, and no knowledge is written in code.

- sub-packages by role, each with a docstring; imports only downward:
  interfaces/devtools -> core -> answer/log -> understand -> kb (errors is shared by all);
- no module over 400 lines, no function over 80;
- no fact, entity or intent id written in `assistant/` code (ids live in knowledge/; the code names roles).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Iterator

import pytest

import assistant
from assistant.kb.store import Store

PACKAGE = Path(assistant.__file__).resolve().parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
# rank of each part of the package: a module may import only parts of a lower rank (or its own part)
LAYERS = {"errors": 0, "kb": 1, "understand": 2, "answer": 3, "log": 3, "core": 4, "interfaces": 5, "devtools": 6}
ROLES = ("kb", "understand", "answer", "log", "interfaces", "devtools")
# strings that are also ids but are not used as ids where they appear
NOT_IDS = {
    "components": "an OpenAPI document key (interfaces/http/schema.py)",
}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_knowledge" not in p.parts)


def part(path: Path) -> str:
    """'kb', 'understand', ..., 'core', 'errors', or '' for the package's own __init__/__main__."""
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else {"core.py": "core", "errors.py": "errors"}.get(rel[0], "")


def imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted module) of every `assistant.*` import, at module level or inside a function."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "assistant":
                for alias in node.names:
                    yield node.lineno, f"assistant.{alias.name}"
            elif node.module.startswith("assistant."):
                yield node.lineno, node.module
        elif isinstance(node, ast.ImportFrom) and node.level:
            yield node.lineno, "relative"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("assistant."):
                    yield node.lineno, alias.name


def test_the_tree_has_one_folder_per_role_each_with_a_docstring() -> None:
    for role in ROLES:
        init = PACKAGE / role / "__init__.py"
        assert init.is_file(), f"assistant/{role}/ is missing"
        assert ast.get_docstring(ast.parse(init.read_text())), f"assistant/{role}/__init__.py needs a docstring"
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "core.py", "errors.py"], top
    for path in modules():
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path.relative_to(PACKAGE)} needs a docstring"


def test_imports_only_go_down_the_layers() -> None:
    wrong = []
    for path in modules():
        mine = part(path)
        if not mine:
            continue  # the public API module imports lazily from everywhere
        for line, target in imported(ast.parse(path.read_text())):
            where = f"{path.relative_to(PACKAGE)}:{line}"
            if target == "relative":
                wrong.append(f"{where}: relative import (write assistant.<part>...)")
                continue
            theirs = target.split(".")[1]
            if theirs in ("__version__",):
                continue
            if theirs != mine and LAYERS.get(theirs, 99) >= LAYERS[mine]:
                wrong.append(f"{where}: {mine} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_module_over_400_lines_and_no_function_over_80() -> None:
    long = []
    for path in modules():
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(PACKAGE)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}: {n} lines")
    assert not long, "\n".join(long)


def test_the_public_api_is_listed_and_importable() -> None:
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name


# ---------------------------------------------------------------- no knowledge in code


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _schema_words() -> set[str]:
    """Strings the schema itself defines (Literal values: statuses, slots, topics, kinds, roles; field names)
    and the one id the schema names (WHOLE_TRIAL). Entity ids may coincide with them ('design', 'response')."""
    from pydantic import BaseModel

    from assistant.kb import contract, models, settings

    words = {models.WHOLE_TRIAL}
    for mod in (models, settings, contract):
        tree = ast.parse(Path(mod.__file__).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
                words |= {c.value for c in ast.walk(node.slice) if isinstance(c, ast.Constant)}
        for value in vars(mod).values():  # field names of records (not of settings: a role is named like its id)
            if isinstance(value, type) and issubclass(value, BaseModel) and mod is not settings:
                words |= set(value.model_fields)
    return words


def ids_in_code(store: Store) -> list[str]:
    ids = set(store.facts) | set(store.entities) | set(store.intents)
    allowed = _schema_words() | set(NOT_IDS)
    found = []
    for path in modules():
        tree = ast.parse(path.read_text())
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skip:
                continue
            text = node.value
            tokens = {text} | {t for t in text.replace("|", " ").replace(",", " ").replace(":", " ").split()
                               if "." in t or "_" in t}
            for hit in sorted((tokens & ids) - allowed):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {hit!r}")
    return found


def test_no_fact_entity_or_intent_id_is_written_in_code(store: Store) -> None:
    found = ids_in_code(store)
    assert not found, "ids belong in knowledge/ (answers.toml [roles], frame.toml):\n" + "\n".join(found)


def test_the_id_check_can_fail(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module that names an entity id is caught."""
    fake = tmp_path / "assistant"
    (fake / "answer").mkdir(parents=True)
    (fake / "answer" / "bad.py").write_text('"""Doc."""\nSURVIVAL = ("pfs", "os")\nCUE = "cue.complement|sup.max"\n')
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    found = ids_in_code(store)
    assert any("'pfs'" in f for f in found) and any("'cue.complement'" in f for f in found), found
