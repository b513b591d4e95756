"""A small mutation run over convshape's rule modules.

Each mutant changes one operator or constant in one rule module (``<`` and ``<=``,
``>`` and ``>=``, ``==`` and ``!=``, ``+`` and ``-``, ``//`` to ``/`` and ``*`` to ``//``,
``%`` to ``//``, an integer constant plus or minus one, ``and`` and ``or``, ``not`` dropped,
``max`` and ``min``), then runs the tests that cover that module against it. A mutant that
the tests pass is a survivor: either equivalent to the original, or a rule no test pins.

The source tree is never touched: ``src`` is copied to a temporary directory, the mutated
module is written there, and the tests import convshape from the copy (``PYTHONPATH``).
The tests run in one worker process that keeps the frameworks imported between mutants
(TensorFlow alone takes seconds to import); each run forgets the convshape and test modules
first. A mutant that hangs is stopped after ``--timeout`` seconds and counts as killed.

    python scripts/mutate.py --module src/convshape/pitfalls.py --limit 40
    python scripts/mutate.py --list --module src/convshape/jax.py

The exit status is 0, or 1 with ``--fail-on-survivor`` when a mutant survives, 2 when the
tests fail before any mutation.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import json
import os
import random
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The rule modules, and the test files that cover each one, quickest killers first:
#: (fast test files, oracle test files).
AGREE = ["tests/test_agreement.py", "tests/test_rule_gaps.py"]
KERAS = (
    ["tests/test_arithmetic.py", *AGREE, "tests/test_properties.py", "tests/test_fast_path.py"],
    ["tests/test_oracle_keras.py"],
)
ONNX = (
    [*AGREE, "tests/test_explain_frameworks.py"],
    ["tests/test_oracle_onnx.py", "tests/test_oracle_onnx_nodes.py", "tests/test_peer_onnx.py"],
)
PORTING = (
    [*AGREE, "tests/test_translate.py", "tests/test_explain_check.py"],
    ["tests/test_peer_keras.py", "tests/test_peer_torch.py"],
)
SOLVING = (
    [*AGREE, "tests/test_solve.py", "tests/test_solve_ranking.py", "tests/test_plan_speed.py"],
    ["tests/test_cli_options.py"],
)
RECEPTIVE = (
    [*AGREE, "tests/test_oracle_receptive.py", "tests/test_oracle_receptive_modules.py"],
    ["tests/test_oracle_receptive.py", "tests/test_oracle_receptive_modules.py"],
)
SIZES = (
    [*AGREE, "tests/test_sizes.py", "tests/test_oracle_keras_sizes.py"],
    ["tests/test_oracle_keras_sizes.py"],
)
COSTS = (
    [*AGREE, "tests/test_oracle_cost.py", "tests/test_oracle_cost_modules.py"],
    ["tests/test_oracle_cost.py", "tests/test_oracle_cost_modules.py"],
)
TESTS: dict[str, tuple[list[str], list[str]]] = {
    "src/convshape/arithmetic.py": KERAS,
    "src/convshape/_keras_rules.py": KERAS,
    "src/convshape/_core.py": (
        [
            "tests/test_arithmetic.py",
            *AGREE,
            "tests/test_properties.py",
            "tests/test_fast_path.py",
            "tests/test_frameworks_table.py",
        ],
        [
            "tests/test_core.py",
            "tests/test_oracle_keras.py",
            "tests/test_oracle_torch.py",
            "tests/test_oracle_jax.py",
            "tests/test_oracle_onnx.py",
        ],
    ),
    "src/convshape/_frameworks.py": (
        [*AGREE, "tests/test_frameworks_table.py"],
        ["tests/test_core.py"],
    ),
    "src/convshape/torch/_crop.py": (
        [*AGREE, "tests/test_frameworks_table.py", "tests/test_translate.py"],
        ["tests/test_oracle_torch.py", "tests/test_peer_torch.py"],
    ),
    "src/convshape/torch/functional.py": (
        [*AGREE, "tests/test_torch_validation.py", "tests/test_properties.py"],
        ["tests/test_oracle_torch.py"],
    ),
    "src/convshape/jax.py": (
        [*AGREE, "tests/test_explain_frameworks.py"],
        ["tests/test_oracle_jax.py"],
    ),
    "src/convshape/onnx.py": ONNX,
    "src/convshape/_onnx_rules.py": ONNX,
    "src/convshape/_onnx_nodes.py": ONNX,
    "src/convshape/pitfalls.py": (
        [*AGREE, "tests/test_explain_check.py"],
        ["tests/test_peer_keras.py", "tests/test_peer_torch.py"],
    ),
    "src/convshape/porting.py": PORTING,
    "src/convshape/_porting_rules.py": PORTING,
    "src/convshape/_receptive_spans.py": RECEPTIVE,
    "src/convshape/_receptive_rules.py": RECEPTIVE,
    "src/convshape/_sizes_maps.py": SIZES,
    "src/convshape/_sizes_forms.py": SIZES,
    "src/convshape/_cost_base.py": COSTS,
    "src/convshape/_cost_keras.py": COSTS,
    "src/convshape/_cost_torch.py": COSTS,
    "src/convshape/_solve_keras.py": SOLVING,
    "src/convshape/_solve_torch.py": SOLVING,
    "src/convshape/_solve_forward.py": SOLVING,
}


def tests_for(module: str, *, fast: bool) -> list[str]:
    """The module's test files; ``fast``: only its fast tests (``-m "not oracle"``)."""
    quick, oracles = TESTS.get(module, (["tests/test_agreement.py"], []))
    chosen = quick if fast else [*quick, *oracles]
    return [path for path in chosen if (ROOT / path).exists()]


SWAPS: dict[type[ast.AST], Any] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.FloorDiv: ast.Div,
    ast.Mult: ast.FloorDiv,
    ast.Mod: ast.FloorDiv,
    ast.And: ast.Or,
    ast.Or: ast.And,
}
SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Add: "+",
    ast.Sub: "-",
    ast.FloorDiv: "//",
    ast.Div: "/",
    ast.Mult: "*",
    ast.Mod: "%",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the repository, e.g. src/convshape/pitfalls.py
    index: int  # the n-th mutation point in the file, in AST walk order
    variant: int  # which change at that point
    line: int
    original: str
    mutated: str

    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.original}  ->  {self.mutated}"

    @property
    def key(self) -> str:
        """What ``--pick`` takes to run this mutant again."""
        return f"{self.path}@{self.index}.{self.variant}"


def _skipped_lines(tree: ast.Module) -> set[int]:
    """Lines that are not rules: raises (messages), docstrings, annotations, __all__."""
    lines: set[int] = set()

    def cover(node: ast.AST) -> None:
        end = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        lines.update(range(node.lineno, end + 1))  # type: ignore[attr-defined]

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise | ast.JoinedStr):
            cover(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            cover(node)  # docstrings
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                if arg.annotation is not None:
                    cover(arg.annotation)
            if node.returns is not None:
                cover(node.returns)
        elif isinstance(node, ast.AnnAssign):
            cover(node.annotation)
        elif (
            isinstance(node, ast.Assign)
            and any(
                isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
            )
        ) or (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            cover(node)
    return lines


def _changes(node: Any) -> list[tuple[ast.AST, str, str]]:
    """The mutated copies of ``node`` with (text before, text after)."""
    out: list[tuple[ast.AST, str, str]] = []
    if isinstance(node, ast.BinOp) and any(
        isinstance(side, ast.JoinedStr)
        or (isinstance(side, ast.Constant) and isinstance(side.value, str))
        for side in (node.left, node.right)
    ):
        return out  # text, not arithmetic
    swappable = isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in SWAPS
    if swappable or isinstance(node, ast.BoolOp):
        new = copy.deepcopy(node)
        new.op = SWAPS[type(node.op)]()
        out.append((new, ast.unparse(node), ast.unparse(new)))
    elif isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in SWAPS:
                new = copy.deepcopy(node)
                new.ops[position] = SWAPS[type(op)]()
                out.append((new, ast.unparse(node), ast.unparse(new)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append((node.operand, ast.unparse(node), ast.unparse(node.operand)))
    elif (
        isinstance(node, ast.Constant)
        and type(node.value) is int
        and not isinstance(node.value, bool)
    ):
        for delta in (1, -1):
            new = ast.Constant(node.value + delta)
            out.append((new, ast.unparse(node), ast.unparse(new)))
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"max", "min"}
    ):
        new = copy.deepcopy(node)
        new.func = ast.Name("min" if node.func.id == "max" else "max", ast.Load())
        out.append((new, ast.unparse(node), ast.unparse(new)))
    return out


def _points(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.AST, str, list[Any]]]:
    """Every (parent, node, field, container) where a node can be replaced."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, list):
                for position, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        yield parent, child, field, [value, position]
            elif isinstance(value, ast.AST):
                yield parent, value, field, [None, None]


def mutants_of(path: str, root: Path = ROOT) -> list[Mutant]:
    source = (root / path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    skipped = _skipped_lines(tree)
    found: list[Mutant] = []
    for index, (_parent, node, _field, _slot) in enumerate(_points(tree)):
        line = getattr(node, "lineno", None)
        if line is None or line in skipped:
            continue
        for variant, (_new, before, after) in enumerate(_changes(node)):
            found.append(Mutant(path, index, variant, line, before, after))
    return sorted(found, key=lambda m: (m.line, m.index, m.variant))


def mutated_source(mutant: Mutant, root: Path = ROOT) -> str:
    tree = ast.parse((root / mutant.path).read_text(encoding="utf-8"))
    for index, (parent, node, field, (container, position)) in enumerate(_points(tree)):
        if index != mutant.index:
            continue
        new, _before, _after = _changes(node)[mutant.variant]
        ast.copy_location(new, node)
        if container is None:
            setattr(parent, field, new)
        else:
            container[position] = new
        return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    raise LookupError(mutant.label())


# -- the worker: runs pytest in-process, frameworks stay imported ---------------------------


def worker() -> None:
    import pytest  # noqa: PLC0415 - the parent process never needs it

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    copy_root = Path(os.environ["CONVSHAPE_MUTATION_ROOT"])
    sys.path.insert(0, str(copy_root / "src"))
    os.chdir(ROOT)
    for line in sys.stdin:
        request = json.loads(line)
        for name in [name for name in sys.modules if name.split(".")[0] in {"convshape", "tests"}]:
            del sys.modules[name]
        target = copy_root / request["path"]
        target.write_text(request["source"], encoding="utf-8")
        stamp = time.time()
        os.utime(target, (stamp + request["serial"], stamp + request["serial"]))
        importlib.invalidate_caches()
        failed: list[str] = []

        class Recorder:
            def __init__(self, failed: list[str]) -> None:
                self.failed = failed

            def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
                if report.failed:
                    self.failed.append(report.nodeid)

        args = [
            "-q",
            *(["-x"] if request.get("stop", True) else []),
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--hypothesis-seed=0",
            "-o",
            "addopts=",
            *(["-m", "not oracle"] if request.get("fast") else []),
            *[f"--deselect={nodeid}" for nodeid in request.get("deselect", [])],
            *request["tests"],
        ]
        devnull = open(os.devnull, "w")  # noqa: SIM115
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = devnull
        try:
            code = int(pytest.main(args, plugins=[Recorder(failed)]))
        except BaseException as error:  # a mutant that breaks the import
            code = 99
            sys.stdout, sys.stderr = saved
            print(f"worker: {error!r}", file=sys.stderr)
        finally:
            sys.stdout, sys.stderr = saved
            devnull.close()
        print(json.dumps({"exit": code, "failed": failed}), flush=True)


class Worker:
    def __init__(self, copy_root: Path) -> None:
        self.copy_root = copy_root
        self.process: subprocess.Popen[str] | None = None
        self.serial = 0
        self.failed: list[str] = []

    def start(self) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "CONVSHAPE_MUTATION_ROOT": str(self.copy_root),
            "PYTHONPATH": os.pathsep.join([str(self.copy_root / "src"), str(ROOT)]),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        return subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(
        self,
        path: str,
        source: str,
        tests: list[str],
        timeout: float,
        deselect: list[str] | None = None,
        fast: bool = False,
    ) -> int | None:
        """pytest's exit code for ``source`` in place of ``path``, or None on a timeout."""
        if self.process is None or self.process.poll() is not None:
            self.process = self.start()
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.serial += 1
        request = {
            "path": path,
            "source": source,
            "tests": tests,
            "serial": self.serial,
            "stop": deselect is not None,
            "deselect": deselect or [],
            "fast": fast,
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            self.stop()
            return None
        reply = self.process.stdout.readline()
        if not reply:
            self.process = None
            return 98
        answer = json.loads(reply)
        self.failed = list(answer["failed"])
        return int(answer["exit"])

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _same_as_survivors(found: list[Mutant], log: str) -> list[Mutant]:
    """The mutants an earlier run's output lists as survived, by their text and the
    nearest line: lines move as the source changes, the changed expression does not."""
    picked: list[Mutant] = []
    for line in log.splitlines():
        if not line.startswith("survived") or "  ->  " not in line:
            continue
        where, _, change = line.split(maxsplit=2)[2].partition(": ")
        path, _, number = where.rpartition(":")
        original, mutated = change.split("  ->  ", 1)
        alike = [
            m for m in found if (m.path, m.original, m.mutated) == (path, original, mutated.strip())
        ]
        if alike:
            picked.append(min(alike, key=lambda m: abs(m.line - int(number))))
    return sorted(set(picked), key=lambda m: (m.line, m.index, m.variant))


def _choose(modules: list[str], snapshot: Path, args: argparse.Namespace) -> list[Mutant]:
    chosen: list[Mutant] = []
    for module in modules:
        found = mutants_of(module, snapshot)
        if args.pick:
            found = [mutant for mutant in found if mutant.key in args.pick]
        elif args.survivors:
            found = _same_as_survivors(found, args.survivors.read_text(encoding="utf-8"))
        elif args.limit is not None and len(found) > args.limit:
            found = sorted(
                random.Random(f"{args.seed}:{module}").sample(found, args.limit),
                key=lambda m: (m.line, m.index, m.variant),
            )
        chosen.extend(found)
    return chosen


def _run(
    chosen: list[Mutant], snapshot: Path, work: Path, args: argparse.Namespace
) -> list[dict[str, Any]] | None:
    """Each mutant's status, or None when the tests cannot run on the unmutated code."""
    runner = Worker(work)
    results: list[dict[str, Any]] = []
    try:
        for module in sorted({mutant.path for mutant in chosen}):
            tests = args.tests or tests_for(module, fast=args.fast)
            original = (snapshot / module).read_text(encoding="utf-8")
            started = time.monotonic()
            code = runner.run(module, original, tests, args.timeout * 8, fast=args.fast)
            broken = list(runner.failed)
            print(
                f"{module}: baseline exit {code} in {time.monotonic() - started:.0f}s "
                f"({' '.join(tests)})",
                flush=True,
            )
            if code not in (0, 1) or (code == 1 and not broken):
                print(f"the tests cannot run on the unmutated {module}", file=sys.stderr)
                return None
            for nodeid in broken:
                print(f"  fails before any mutation, left out: {nodeid}", flush=True)
            for mutant in [m for m in chosen if m.path == module]:
                started = time.monotonic()
                source = mutated_source(mutant, snapshot)
                code = runner.run(
                    module, source, tests, args.timeout, deselect=broken, fast=args.fast
                )
                elapsed = time.monotonic() - started
                status = "survived" if code == 0 else "timeout" if code is None else "killed"
                results.append(
                    {**mutant.__dict__, "key": mutant.key, "status": status, "seconds": elapsed}
                )
                print(f"{status:8} {elapsed:5.0f}s {mutant.label()}", flush=True)
            runner.run(module, original, ["--co", "-q", *tests[:1]], args.timeout)
    finally:
        runner.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--module",
        action="append",
        help="a rule module to mutate (repeatable); default: every module in the table",
    )
    parser.add_argument("--limit", type=int, help="at most this many mutants per module")
    parser.add_argument("--seed", type=int, default=15, help="the sample's seed (default 15)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per mutant")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of the table's")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="only the fast tests (no oracle); survivors are worth a run without it",
    )
    parser.add_argument(
        "--pick", nargs="+", metavar="KEY", help="only these mutants (path@index.variant)"
    )
    parser.add_argument(
        "--survivors",
        type=Path,
        metavar="LOG",
        help="only the mutants an earlier run's output lists as survived (by their text)",
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--fail-on-survivor", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    modules = [
        Path(module).resolve().relative_to(ROOT).as_posix()
        for module in args.module or [path for path in TESTS if (ROOT / path).exists()]
    ]
    with tempfile.TemporaryDirectory(prefix="convshape-mutants-") as temp:
        # A snapshot of src: the mutants and the baseline come from it, so that edits made
        # to the working tree during the run change nothing here.
        snapshot, work = Path(temp) / "snapshot", Path(temp) / "work"
        for root in (snapshot, work):
            shutil.copytree(
                ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__")
            )
        chosen = _choose(modules, snapshot, args)
        if args.list:
            for mutant in chosen:
                print(f"{mutant.label()}   [{mutant.key}]")
            print(f"{len(chosen)} mutants")
            return 0
        results = _run(chosen, snapshot, work, args)
        if results is None:
            return 2
    survivors = [result for result in results if result["status"] == "survived"]
    print(
        f"\ntried {len(results)}, killed {len(results) - len(survivors)}, "
        f"surviving {len(survivors)}"
    )
    for result in survivors:
        print(
            f"  {result['path']}:{result['line']}: {result['original']}  ->  "
            f"{result['mutated']}   [{result['key']}]"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 1 if survivors and args.fail_on_survivor else 0


if __name__ == "__main__":
    sys.exit(main())
