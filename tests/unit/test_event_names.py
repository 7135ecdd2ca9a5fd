"""Every event the app writes to the audit log has a name people can read there."""

import ast
from pathlib import Path

from app.admin.events import EVENT_NAMES

APP = Path(__file__).resolve().parents[2] / "app"


def constants(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is str}


def is_record(node: ast.AST) -> bool:
    """A call of app.audit.record, the one way into the audit log."""
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record"


def codes_in(tree: ast.Module) -> set[str]:
    """The codes passed to `record(session, actor, code, …)`: a literal, or a variable set from
    literals in the same function (`event = "a" if … else "b"`, `events.append("a")`), or a
    parameter every caller in the module gives a literal for."""
    found: set[str] = set()
    functions = [
        n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for function in functions:
        for call in ast.walk(function):
            if not is_record(call):
                continue
            code = call.args[2]
            if isinstance(code, ast.Constant):
                found.add(code.value)
                continue
            assert isinstance(code, ast.Name), ast.dump(code)
            params = [a.arg for a in function.args.args]
            if code.id in params:  # given by the callers
                position = params.index(code.id)
                for caller in ast.walk(tree):
                    if isinstance(caller, ast.Call) and getattr(caller.func, "id", None) == (
                        function.name
                    ):
                        found |= constants(caller.args[position])
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.IfExp):
                    found |= constants(node.value.body) | constants(node.value.orelse)
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "append":
                    found |= constants(node)
    return found


def test_every_audit_event_has_a_readable_name():
    codes: set[str] = set()
    for path in sorted(APP.rglob("*.py")):
        codes |= codes_in(ast.parse(path.read_text(encoding="utf-8")))
    assert len(codes) > 30  # the scan found the app's events
    assert sorted(codes - EVENT_NAMES.keys()) == []
