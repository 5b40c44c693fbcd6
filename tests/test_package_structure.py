"""The package's structure, as the architecture promises it: no import cycle (counting
imports inside functions), no task-name comparison outside tasks/, project file names
spelled once, and modules of a readable size."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "l1forge"
MAX_LINES = 400
# a task field compared, or a task name compared or listed beside another
TASK_FIELD = re.compile(r"\.task\s*(==|!=|in\b|not in\b)|(==|!=)\s*[\w.]*\.task\b|"
                        r"""get\(["']task["']\)\s*(==|!=|in\b)""")
_NAME = r"""["'](jet_id|jet_deepsets|autoencoder|vae)["']"""
NAME_COMPARED = re.compile(rf"(==|!=|\bin)\s*\(?\s*{_NAME}|{_NAME}\s*(==|!=|,\s*{_NAME})")


def module_name(path: Path) -> str:
    parts = ("l1forge",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """l1forge modules `path` imports anywhere (module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("l1forge"):
                continue
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return {name for name in found if name in modules}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                return stack[stack.index(child):] + [child]
            if child not in state and (cycle := visit(child)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_package():
    modules = package_modules()
    graph = {name: imports_of(path, modules) - {name} for name, path in modules.items()}
    assert find_cycle(graph) is None


def _sources(exclude: str):
    for path in PACKAGE.rglob("*.py"):
        if exclude not in path.relative_to(PACKAGE).parts:
            yield path, path.read_text()


def test_no_task_name_is_compared_outside_tasks():
    offenders = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
                 for path, text in _sources("tasks")
                 for number, line in enumerate(text.splitlines(), start=1)
                 if TASK_FIELD.search(line) or NAME_COMPARED.search(line)]
    assert offenders == []


def test_the_task_name_check_catches_a_comparison():
    lines = ['if card.task == "vae":', 'if card.task in ("autoencoder", "vae"):',
             'AD_TASKS = ("autoencoder", "vae")', 'if content.get("task") in AD_TASKS:']
    assert all(TASK_FIELD.search(line) or NAME_COMPARED.search(line) for line in lines)
    assert not NAME_COMPARED.search('task: str = "jet_id"')


def test_project_file_names_are_spelled_once():
    names = ("l1forge.json", "hls4ml_config.yml", "test_split.npz", "scores.npz", "l1forge_csim",
             "l1forge_tb.cpp", "qat_model.h5", "float_model.h5")
    spelled = {name: [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                      if re.search(rf"""["']{re.escape(name)}["']""", path.read_text())]
               for name in names}
    assert all(len(places) == 1 for places in spelled.values()), spelled


def test_modules_stay_readable():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


# Where a whole model card may be taken: the card package, the model families (a task owns
# its card section), the command line, and the one module that turns a card into specs.
CARD_READERS = ("card", "tasks", "cli")
CARD_EDGE = "card_specs.py"


def functions_taking_a_card(path: Path) -> list[str]:
    """`name:line` of every function with a parameter named `card` or annotated `Card`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            if any(a.arg == "card" or (a.annotation is not None and "Card" in ast.unparse(a.annotation))
                   for a in args):
                found.append(f"{getattr(node, 'name', 'lambda')}:{node.lineno}")
    return found


def test_no_stage_takes_the_whole_card():
    offenders = {str(p.relative_to(PACKAGE)): names for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).parts[0] not in CARD_READERS and p.name != CARD_EDGE
                 and (names := functions_taking_a_card(p))}
    assert offenders == {}


def test_the_card_walk_finds_a_planted_card_parameter(tmp_path):
    planted = tmp_path / "stage.py"
    planted.write_text("def estimate(graph, card):\n    pass\n\ndef ok(spec: 'FirmwareSpec'):\n    pass\n"
                       "def typed(x: 'Card'):\n    pass\n")
    assert functions_taking_a_card(planted) == ["estimate:1", "typed:6"]


def test_the_card_package_imports_neither_models_nor_tasks():
    modules = package_modules()
    card_modules = [name for name in modules if name.startswith("l1forge.card.") or name == "l1forge.card"]
    reached = {name: sorted(m for m in imports_of(modules[name], modules)
                            if m.startswith(("l1forge.models", "l1forge.tasks")))
               for name in card_modules}
    assert {name: found for name, found in reached.items() if found} == {}
