"""IPython syntax in a notebook cell, as plain Python that runs without IPython.

A cell is first turned into Python by IPython's own transformer
(``IPython.core.inputtransformer2.TransformerManager``, what the kernel runs), which
writes magics and shell escapes as ``get_ipython().run_line_magic(...)``,
``run_cell_magic(...)``, ``system(...)`` or ``getoutput(...)`` calls. Those calls are
then rewritten, since graded code runs in a plain interpreter:

* the magics that run code keep their effect: ``%time stmt`` and ``%%time`` run the
  statement or the cell body in place (assignments kept, as in IPython); ``%timeit`` and
  ``%%timeit`` run it once, in a namespace of its own (as IPython does: its assignments
  do not persist); ``%%capture`` runs the body (its output variable is not set);
* every other magic and shell command is skipped (``pass``, or ``None`` where a value
  was expected), and named in :attr:`Plain.skipped`.

The kernel's input history (``In``) already went through IPython's transformer, so
:func:`rewrite` alone serves :mod:`autograd_exercises.notebook`. Without IPython
(a student's install), a small transformer of our own handles line and cell magics
and ``!`` commands at the start of a line.

Line numbers: each line of the result carries the line of the cell it came from
(:attr:`Plain.origin`), so feedback still names "cell 4, line 2".

Cost: IPython's transformer tokenizes the whole cell again for each escape it rewrites (up to 500 times), so a
hostile cell of many escapes took minutes to read (red team 47). A notebook's cells share one :class:`Budget` of
characters IPython may tokenize; once it is spent, a cell's escapes are rewritten line by line
(:func:`_plain_transform`, linear), as they are without IPython.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from autograd_exercises.parsing import PARSE_ERRORS

RUN_IN_PLACE = ("time", "capture")  # cell magics whose body runs in the user's namespace
RUN_APART = ("timeit",)  # run once, in a namespace of their own
SILENT = ("pinfo", "pinfo2", "psearch")  # x? and x??: help, nothing else happens
OURS = {"load_ext": "autograd_exercises.notebook"}  # the setup cell's own magic: nothing to say about it
_TIMEIT_OPTIONS = re.compile(r"^\s*(?:(?:-[nrp]\s*\d+(?:\.\d+)?|-[tcqo])(?:\s+|$))*")  # the last one may end the line
NESTING = 20  # cell magics inside cell magics (%%time over %%capture …): deeper ones run nothing
TRANSFORM_BUDGET = 200_000  # characters IPython's transformer may tokenize over one notebook (half a second)
IPYTHON_PASSES = 500  # IPython's own limit on its passes over a cell (``TRANSFORM_LOOP_LIMIT``)


@dataclass
class Budget:
    """What IPython's transformer may still tokenize, in characters, over all the cells of one notebook (each of its
    passes over a cell tokenizes the whole cell); and how long the Python a cell or module becomes may be (``code``:
    what is left of it over a notebook's cells; None, no bound), past which the rewrite stops with :class:`TooLong`."""

    chars: int = TRANSFORM_BUDGET
    code: int | None = None


class TooLong(Exception):
    """A cell's or module's Python grew past its :attr:`Budget.code` (red team 237: 256 KiB of ``%timeit 1`` became 2 MB, each in a
    function of its own, and 19 nested ``%%timeit`` 14 MB, which the grader's readings took minutes over)."""


def _bounded(plain: "Plain", budget: Budget | None) -> "Plain":
    """``plain``, or :class:`TooLong` where its code is longer than ``budget`` allows."""
    if budget is not None and budget.code is not None and len(plain.code) > budget.code:
        raise TooLong(len(plain.code))
    return plain


@dataclass(frozen=True)
class Plain:
    """A cell as plain Python: its code, each line's origin in the cell, what was skipped."""

    code: str
    origin: tuple[int, ...]  # per line of ``code`` (1-based), the cell's line it came from
    skipped: tuple[str, ...] = field(default=())  # "%matplotlib", "!pip": magics and commands left out
    notes: tuple[str, ...] = field(default=())  # other differences ("%%capture's variable out is not set")


def _compiles(code: str) -> bool:
    try:
        compile(code, "<cell>", "exec", dont_inherit=True)
    except PARSE_ERRORS:
        return False
    return True


def to_python(cell: str, depth: int = 0, budget: Budget | None = None) -> Plain:
    """A notebook cell's source (IPython syntax allowed) as plain Python (``depth``: the cell magics around it;
    ``budget``: what IPython may still tokenize, shared by a notebook's cells; a fresh one by default)."""
    budget = budget if budget is not None else Budget()
    cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    lines = cell.split("\n")
    if _compiles(cell) and "get_ipython()" not in cell and not _kernel_cleans(cell):
        return Plain(cell, tuple(range(1, len(lines) + 1)))
    lead = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if lead < len(lines) and lines[lead].startswith("%%"):
        return _cell_magic(lines, lead, depth, budget)
    transformed = _ipython_transform(cell, budget)
    out = transformed.split("\n")
    if transformed.endswith("\n") and not cell.endswith("\n"):
        out = out[:-1]
    if len(out) == len(lines) - lead:
        origin = [index + 1 + lead for index in range(len(out))]
    else:  # a joined continuation line: close enough
        origin = [min(index + 1 + lead, len(lines)) for index in range(len(out))]
    return _bounded(rewrite("\n".join(out), tuple(origin), depth, budget), budget)


def module_to_python(text: str, budget: Budget) -> Plain:
    """A whole module's text (IPython syntax allowed, no cell marks) as plain Python: :func:`to_python` over each of
    its pieces (:func:`module_pieces`), joined, each line's origin the module's own."""
    parts = [(first, to_python(piece, budget=budget)) for first, piece in module_pieces(text)]
    plain = Plain("\n".join(part.code for _, part in parts),
                  tuple(first - 1 + line for first, part in parts for line in part.origin),
                  tuple(name for _, part in parts for name in part.skipped),
                  tuple(note for _, part in parts for note in part.notes))
    return _bounded(plain, budget)


_CELL_MAGIC_LINE = re.compile(r"^%%[A-Za-z_]")


def module_pieces(text: str) -> list[tuple[int, str]]:
    """A module's text in the pieces a notebook's cells would be (first line, text): each cell magic at the start of a
    line (``%%time``, where a logical line starts) with the paragraph below it, to its first blank line, and the
    text between (fairness 69: read as one cell, a ``%%time`` pasted or exported below the first line is no magic
    IPython knows there, and the whole file stopped at it). One piece where none is found or the text does not
    tokenize."""
    lines = text.split("\n")
    starts = _logical_starts(text)
    if starts is None:
        return [(1, text)]
    cuts = {0, len(lines)}
    for index, line in enumerate(lines):
        if index + 1 in starts and _CELL_MAGIC_LINE.match(line):
            end = next((k for k in range(index + 1, len(lines)) if not lines[k].strip() and k + 1 in starts),
                       len(lines))
            cuts |= {index, end}
    bounds = sorted(cuts)
    return [(start + 1, "\n".join(lines[start:stop])) for start, stop in zip(bounds, bounds[1:])]


_TRANSFORMER: list = []


def _ipython_transform(cell: str, budget: Budget) -> str:
    """IPython's own transformer (what the kernel runs) where IPython is installed and ``budget`` allows a pass over
    the cell for each escape; else :func:`_plain_transform`. What its passes tokenized is taken from ``budget``."""
    passes = min(IPYTHON_PASSES, budget.chars // max(len(cell), 1))
    manager = _manager()
    if manager is None or passes < 1:
        return _plain_transform(_cleaned(cell)[1])
    manager.passes, manager.used = passes, 0
    try:
        return manager.transform_cell(cell)
    except _OutOfPasses:
        return _plain_transform(_cleaned(cell)[1])
    except Exception:  # IPython could not read it either: the compile step says why
        return cell
    finally:
        budget.chars -= manager.used * len(cell)


def _cleaned(cell: str) -> tuple[str, str]:
    """``cell`` from its first line that is not blank, before and after IPython's cleanup transforms (the kernel's
    first step, linear: prompts ``>>>``, ``In [1]:`` and ``...:`` stripped from every line when the first lines hold
    one, the first line's indent taken from every line); the same text twice without IPython."""
    lines = (cell if cell.endswith("\n") else cell + "\n").splitlines(keepends=True)
    lines = lines[next((index for index, line in enumerate(lines) if line and not line.isspace()), len(lines)):]
    manager, cleaned = _manager(), lines
    for transform in manager.cleanup_transforms if manager is not None else ():
        try:
            cleaned = transform(cleaned)
        except Exception:  # (IPython could not read it: the compile step says why)
            break
    return "".join(lines), "".join(cleaned)


def _kernel_cleans(cell: str) -> bool:
    """The kernel's cleanup changes ``cell`` (red team 114: ``{\n...: True}`` compiles as a dict with an Ellipsis key,
    and the kernel strips ``...:`` as IPython's continuation prompt, running a set): the cell goes through IPython's
    transformer, as the kernel runs it."""
    before, after = _cleaned(cell)
    return before != after


class _OutOfPasses(Exception):
    """The cell needs more of IPython's passes than its budget allows."""


def _manager():
    """IPython's ``TransformerManager`` with at most ``passes`` passes over a cell (it counts them in ``used``);
    None without IPython."""
    if not _TRANSFORMER:
        try:
            from IPython.core.inputtransformer2 import TransformerManager
        except ImportError:
            return None

        class Bounded(TransformerManager):
            passes, used = IPYTHON_PASSES, 0

            def do_token_transforms(self, lines):  # (IPython's loop, with its bound ours)
                for _ in range(self.passes):
                    self.used += 1
                    changed, lines = self.do_one_token_transform(lines)
                    if not changed:
                        return lines
                raise _OutOfPasses

        _TRANSFORMER.append(Bounded())
    return _TRANSFORMER[0]


_ASSIGNED_ESCAPE = re.compile(r"^(\s*)([A-Za-z_][\w\s,.\[\]()*]*?=\s*)([%!])(.*)$")
_ESCAPE = re.compile(r"^(\s*)([%!])(.*)$")
_HELP = re.compile(r"^(\s*)(\?{0,2})([A-Za-z_][\w.]*)(\?{0,2})\s*$")  # ``x?``, ``??x``: help, nothing runs


def _logical_starts(cell: str) -> set[int] | None:
    """The lines of ``cell`` (from 1) where a logical line starts, as Python's tokenizer reads it: not inside brackets,
    a string or after a backslash; None where it cannot tokenize the cell."""
    starts, depth = {1}, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(cell).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            elif token.type in (tokenize.NEWLINE, tokenize.NL) and depth == 0:
                starts.add(token.end[0] + 1)
    except (tokenize.TokenError, SyntaxError):  # (IndentationError is one)
        return None
    return starts


def ipython_command(line: str) -> bool:
    """``line`` is one of IPython's commands as a cell holds it: a magic or a shell command (``%…``, ``!…``), one
    whose output is assigned (``files = !ls``), or help (``x?``, ``??x``)."""
    helped = _HELP.match(line)
    return bool(_ESCAPE.match(line) or _ASSIGNED_ESCAPE.match(line) or helped and (helped.group(2) or helped.group(4)))


def _plain_transform(cell: str) -> str:
    """Line magics, ``!`` commands and ``x?`` help where a logical line starts, as IPython writes them (no IPython
    here, or its budget spent). Red team 237: read line by line, a continuation ``!= 6)`` became a ``!`` command, and
    so did a line of a docstring."""
    out, starts = [], _logical_starts(cell)
    for number, line in enumerate(cell.split("\n"), start=1):
        if starts is not None and number not in starts:
            out.append(line)
            continue
        helped = _HELP.match(line)
        if helped is not None and (helped.group(2) or helped.group(4)):
            name = "pinfo2" if "??" in (helped.group(2), helped.group(4)) else "pinfo"
            out.append(f"{helped.group(1)}get_ipython().run_line_magic({name!r}, {helped.group(3)!r})")
            continue
        found = _ASSIGNED_ESCAPE.match(line) or _ESCAPE.match(line)
        if found is None or found.group(0).lstrip().startswith("%%"):
            out.append(line)
            continue
        indent, target = found.group(1), found.group(2) if found.re is _ASSIGNED_ESCAPE else ""
        escape, rest = found.groups()[-2:]
        if escape == "!":
            call = f"get_ipython().{'getoutput' if target else 'system'}({rest!r})"
        else:
            name, _, argument = rest.partition(" ")
            call = f"get_ipython().run_line_magic({name!r}, {argument.strip()!r})"
        out.append(f"{indent}{target}{call}")
    return "\n".join(out)


def _cell_magic(lines: list[str], at: int, depth: int, budget: Budget) -> Plain:
    """A cell that starts with ``%%name``: the body in place for the magics that run code, else nothing."""
    name, _, argument = lines[at][2:].partition(" ")
    if depth >= NESTING:
        return _too_deep(name, at)
    if (refused := _usage_error(name, argument)) is not None:  # as IPython: the cell stops, its body never runs
        return Plain("\n".join([""] * at + [f"raise SyntaxError({refused!r})"]), tuple(range(1, at + 2)))
    body = "\n".join(lines[at + 1:])
    plain = _bounded(to_python(body, depth + 1, budget), budget)
    shift = at + 1
    if name in RUN_IN_PLACE:
        notes = plain.notes
        if name == "capture" and _capture_variable(argument):
            notes += (f"%%capture's variable {_capture_variable(argument)} is not set when graded",)
        return Plain("\n".join([""] * shift + [plain.code]), tuple(range(1, shift + 1)) +
                     tuple(line + shift for line in plain.origin), plain.skipped, notes)
    if name in RUN_APART:
        code = _apart(_TIMEIT_OPTIONS.sub("", argument).strip(), plain.code).split("\n")
        return Plain("\n".join([""] * at + code), tuple(range(1, at + 1)) + (at + 1,) * len(code), plain.skipped,
                     plain.notes)
    return _nothing_runs(at, f"%%{name}")


INNER = "_timeit_inner"  # the function %timeit's statement runs in, as IPython's ``inner``


def _apart(setup: str, code: str) -> str:
    """What ``%timeit`` and ``%%timeit`` run, once: ``setup`` then ``code``, in a function of their own as in IPython's
    ``inner`` (their names local, the module's read as globals), then gone. No code from a string: the sandbox refuses
    that to a submission, so every ``%timeit`` raised there (fairness, red team 115)."""
    body = "\n".join(part for part in (setup, code) if part.strip()) or "pass"
    indented = "\n".join("    " + line if line.strip() else line for line in body.split("\n"))
    return f"def {INNER}():\n{indented}\ntry:\n    {INNER}()\nfinally:\n    del {INNER}"


def _usage_error(name: str, argument: str) -> str | None:
    """The UsageError the kernel raises for cell magic ``%%name``'s ``argument``, read by IPython's own parsers
    (``%%time x`` runs nothing: "Can't use statement directly after '%%time'!"; ``%%capture`` takes its own options
    only: red team 115), or None (none; or no IPython here)."""
    if name not in ("time", "capture") or not argument.strip():
        return None
    try:
        from IPython.core import magic_arguments
        from IPython.core.error import UsageError
        from IPython.core.magics.execution import ExecutionMagics
    except ImportError:
        return None
    try:
        if name == "capture":
            magic_arguments.parse_argstring(ExecutionMagics.capture, argument)
        elif " ".join(magic_arguments.parse_argstring(ExecutionMagics.time, argument, partial=True)[1]):
            return "UsageError: Can't use statement directly after '%%time'!"
    except UsageError as exc:
        return f"UsageError: {exc}"
    except Exception:  # (IPython could not read it either)
        return None
    return None


def _nothing_runs(at: int, skipped: str) -> Plain:
    """A cell magic at line ``at`` that runs nothing: a magic only a kernel runs, or one nested over :data:`NESTING`
    deep (so the grader's own recursion stays bounded)."""
    return Plain("\n".join([""] * at + ["pass"]), tuple(range(1, at + 2)), (skipped,))


def _too_deep(name: str, at: int) -> Plain:
    return _nothing_runs(at, f"%%{name} nested over {NESTING} deep")


def _capture_variable(argument: str) -> str:
    words = [word for word in argument.split() if not word.startswith("-")]
    return words[0] if words else ""


# -- get_ipython() calls -------------------------------------------------------------------------------

def _magic(node: ast.AST) -> tuple[str, list[str]] | None:
    """``(method, string arguments)`` of ``get_ipython().<method>('...', ...)``; None for anything else."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    owner = node.func.value
    if not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "get_ipython"
            and not owner.args and not owner.keywords):
        return None
    if node.keywords or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
        return None
    return node.func.attr, [a.value for a in node.args]


def _parses(code: str, mode: str) -> bool:
    try:
        ast.parse(code, mode=mode)
    except PARSE_ERRORS:
        return False
    return True


def _replacement(method: str, args: list[str], statement: bool, depth: int, budget: Budget | None = None
                 ) -> tuple[Plain | None, str | None]:
    """(the call's replacement, or None to keep it; a note). What was skipped is in the replacement's ``skipped``."""
    def nothing(skip: str | None = None) -> Plain:
        return Plain("pass" if statement else "None", (1,), (skip,) if skip else ())

    if method == "run_line_magic" and len(args) == 2:
        name, line = args[0], args[1]
        if name.startswith("%"):  # a cell magic below a cell's first line: IPython stops the cell there
            message = f"UsageError: Line magic function `%{name}` not found (a cell magic must start its cell)"
            return Plain(f"raise SyntaxError({message!r})" if statement else "None", (1,)), None
        if name == "time":
            if statement and _parses(line, "exec"):
                return Plain(line, (1,) * (line.count("\n") + 1)), None  # (each of its lines: the magic's)
            if not statement and _parses(line, "eval"):
                return Plain(f"({line})", (1,) * (line.count("\n") + 1)), None
            if statement:  # IPython raises the statement's SyntaxError, and the cell stops (red team 115)
                return Plain(f"raise SyntaxError({f'%time: {line.strip()}'[:200]!r})", (1,)), None
        elif name == "timeit":
            code = _TIMEIT_OPTIONS.sub("", line)
            if statement and _parses(code, "exec"):
                apart = _apart("", code)
                return Plain(apart, (1,) * (apart.count("\n") + 1)), None
            if statement:
                return Plain(f"raise SyntaxError({f'%timeit: {line.strip()}'[:200]!r})", (1,)), None
        elif name in SILENT or OURS.get(name) == line.strip():
            return nothing(), None
        return nothing(f"%{name}"), None
    if method == "run_cell_magic" and len(args) == 3:
        name, line, body = args
        if depth >= NESTING:
            return _too_deep(name, 0), None
        if (refused := _usage_error(name, line)) is not None:
            return Plain(f"raise SyntaxError({refused!r})" if statement else "None", (1,)), None
        if name in RUN_APART:
            plain = to_python(body, depth + 1, budget)
            code = _apart(_TIMEIT_OPTIONS.sub("", line).strip(), plain.code)
            return Plain(code, (1,) * (code.count("\n") + 1), plain.skipped, plain.notes), None
        if name in RUN_IN_PLACE and statement:
            plain = to_python(body, depth + 1, budget)  # the body lines follow the magic's line, as in the cell
            note = (f"%%capture's variable {_capture_variable(line)} is not set when graded"
                    if name == "capture" and _capture_variable(line) else None)
            return Plain(plain.code, tuple(number + 1 for number in plain.origin), plain.skipped, plain.notes), note
        return nothing(f"%%{name}"), None
    if method in ("system", "getoutput") and args:
        command = args[0].split()[0] if args[0].split() else ""
        return nothing(f"!{command}"), None
    return None, None


def rewrite(code: str, origin: tuple[int, ...] | None = None, depth: int = 0,
            budget: Budget | None = None) -> Plain:
    """``code`` (Python, as IPython's transformer writes it) with every ``get_ipython()`` magic call rewritten
    (``depth``: the cell magics around it; ``budget``: :func:`to_python`'s, for the cell magics' bodies)."""
    lines = code.split("\n")
    origin = tuple(origin) if origin is not None else tuple(range(1, len(lines) + 1))
    if "get_ipython()" not in code:
        return Plain(code, origin)
    try:
        tree = ast.parse(code)
    except PARSE_ERRORS:
        return Plain(code, origin)  # the compile step says why
    statements, calls = set(), []  # (one walk: a token-dense cell has hundreds of thousands of nodes)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr):
            statements.add(id(node.value))
        elif (found := _magic(node)) is not None:
            calls.append((node, found))
    edits = [(node, found, id(node) in statements) for node, found in calls]  # (call, (method, args), statement)
    skipped: list[str] = []
    notes: list[str] = []
    result = [[line] for line in lines]  # per line of ``code``: the lines it became
    origins = [[number] for number in origin]
    for node, (method, args), statement in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        new, note = _replacement(method, args, statement, depth, budget)
        if new is None or node.lineno != node.end_lineno:
            continue
        skipped += reversed(new.skipped)
        notes += [note] if note else []
        notes += reversed(new.notes)
        index = node.lineno - 1
        text = "\n".join(result[index])  # edits later on this line were made first: its columns still hold
        encoded = text.encode()
        before = encoded[:node.col_offset].decode("utf-8", "replace")
        after = encoded[node.end_col_offset:].decode("utf-8", "replace")
        new_lines = new.code.split("\n")
        first = origins[index][0]
        if len(new_lines) == 1:
            result[index] = (before + new_lines[0] + after).split("\n")
            origins[index] = [first] * len(result[index])
        elif statement and not before.strip() and not after.strip():
            result[index] = [before + line if line.strip() else line for line in new_lines]
            origins[index] = [first - 1 + number for number in new.origin]
        else:  # a cell magic's body where one line must hold it
            result[index] = [before + f"exec(compile({new.code!r}, '<cell magic>', 'exec'), globals())" + after]
            origins[index] = [first]
    out = [line for group in result for line in group]
    out_origin = tuple(number for group in origins for number in group)
    return _bounded(Plain("\n".join(out), out_origin, tuple(reversed(skipped)), tuple(reversed(notes))), budget)
