"""The child's audit hook, the wall between the submission and the call stack: no trace or profile hook, no other
audit hook, no frame handed to the submission (nor its way to one), no function's code changed, no code made from
a string that reaches past its data, no file the submission wrote run as code (:func:`install`).

Every guard of the child written in Python reads what it decides by from somewhere; a guard that reads a module's
namespace can be turned off by whoever reaches that namespace, for a moment and then put back (red team 99 walked
``operator.attrgetter`` to the probes' ``__globals__`` in C; the child's own namespace lies behind the import finder it
puts on ``sys.meta_path``: setting ``_ASKING.now`` there once handed the file every frame). So the wall holds all it
decides by in closures made once, at :func:`install`, over values and C functions taken then: its functions load no
global and no builtin (``tests/test_wall.py`` reads their bytecode), and nothing but the interpreter's own list of
audit hooks holds the hook. What the submission changes afterwards in any namespace, the builtins' included,
changes nothing here. (The factories below are module functions: calling one again only makes a new wall, which
nothing installs.)
"""

from __future__ import annotations

import _thread
import gc
import os
import sys
import types
from typing import Any, Callable

from autograd_exercises.sandbox.guard import IMPORTING

TRACING = frozenset({"sys.settrace", "sys.setprofile", "sys.monitoring.register_callback"})  # audit events
FRAMES = frozenset({"sys._getframe", "sys._current_frames", "object.__getattr__", "gc.get_objects", "gc.get_referrers",
                    "gc.get_referents"})  # audit events that hand a frame, or any object (the wall's own cells too)
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "gi_code", "cr_code", "ag_code",
                              "__code__"})  # (object.__getattr__ is raised for these)
HANDED_FRAMES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})  # attributes that are frames
SUSPENDED_FRAMES = frozenset({"gi_frame", "cr_frame", "ag_frame"})
CHANGED_CODE = frozenset({"__code__", "__defaults__", "__kwdefaults__"})  # what a function's code and defaults are
RUNTIME_CODE = frozenset({"compile", "exec", "code.__new__"})  # audit events of code made as the child runs
WRITTEN_FILES = frozenset({"compile", "open", "ctypes.dlopen"})  # audit events that may run a file the submission wrote
HANDERS = tuple(os.sep + name for name in ("inspect.py", os.path.join("logging", "__init__.py")))  # whose
# sys._getframe hands the frame on to their caller (inspect.currentframe and stack, logging.currentframe)
TRACEBACK_READERS = (os.sep + "traceback.py",)  # the standard library's own reader of a traceback's frames
FINALIZERS = (os.sep + "weakref.py",)  # where weakref.finalize calls its callback
KERNEL_THREADS = "autograd_exercises.threads"  # the event the wall answers with the kernel's threads (observe's)
CODE_OF = {"gi_frame": types.GeneratorType.gi_code.__get__, "cr_frame": types.CoroutineType.cr_code.__get__,
           "ag_frame": types.AsyncGeneratorType.ag_code.__get__}  # a suspended frame's owner -> its code's reader
RUNNING = {"gi_frame": types.GeneratorType.gi_running.__get__, "cr_frame": types.CoroutineType.cr_running.__get__,
           "ag_frame": types.AsyncGeneratorType.ag_running.__get__}  # -> whether it runs now (its frame on the stack)


TB_FRAME = types.TracebackType.tb_frame.__get__  # (a traceback's frame, read in C: it raises its audit event)
GENERATOR = 0x20  # CO_GENERATOR: a code object's flag for a generator function's code (inspect.CO_GENERATOR)


def install(*, scratch: str, own_file: str, library: tuple[str, ...], trusted: tuple[str, ...],
            stdlib: tuple[str, ...], installed: tuple[str, ...], torch: tuple[str, ...], own_module: str,
            door_in_code: Callable[[Any], str], grader_package: str, own_pid_namespace: bool) -> None:
    """Add the wall as an audit hook, for the child's life (Python takes no hook back): ``scratch`` is the
    submission's folder (with a trailing separator) and ``own_file`` its file, ``own_module`` the name it is imported
    under; ``library`` where library code lies (the grader's too), ``trusted`` the packages that may ask for a frame
    while the submission runs, with the standard library (``stdlib``) but the packages installed in it
    (``installed``); ``torch`` torch's folder (its caches compile in scratch); ``door_in_code`` the reading of code
    made from a string; ``grader_package`` the name of the grader's package; ``own_pid_namespace``: the child runs in
    a pid namespace of the sandbox's own (the kernel's count of threads it reads is then the child's alone)."""
    text, own = _texts(scratch, library)
    look, looking = _window()
    on_stack, read_now = _stack(own, text)
    walls: list[Any] = []  # (the wall's own code: filled below, once every function of it is made)
    frame_refused = _frames(own, text, on_stack, look, trusted, stdlib, installed, walls)
    changes_code, runtime_code = _code(own, text, read_now, look, door_in_code, grader_package)
    written = _written(text, scratch, own_file, torch)
    unpickles = _unpickling(on_stack, ("__main__", own_module))
    hook = _hook(looking, look, text, frame_refused, changes_code, runtime_code, written, unpickles,
                 _kernel_threads(own_pid_namespace))
    _codes(hook, walls)
    sys.addaudithook(hook)


def _window() -> tuple[Callable[..., Any], Callable[[], bool]]:
    """``look(reader, thing)``: ``reader(thing)`` (a C call that raises a frame's audit event itself) with this
    thread's events let by and the cyclic garbage collector off meanwhile (a collection there would run the
    submission's finalizers inside the window); and ``looking()``: whether this thread is in such a window now."""
    asking: set[int] = set()
    ident, enabled, disable, enable, add, discard = (_thread.get_ident, gc.isenabled, gc.disable, gc.enable,
                                                     asking.add, asking.discard)

    def look(reader: Callable[..., Any], thing: Any) -> Any:
        collecting, me = enabled(), ident()
        disable()
        add(me)
        try:
            return reader(thing)
        finally:
            discard(me)
            if collecting:
                enable()

    def looking() -> bool:
        return ident() in asking if asking else False

    return look, looking


def _texts(scratch: str, library: tuple[str, ...]) -> tuple[Callable[[Any], str], Callable[[str], bool]]:
    """``text(value)``: ``value`` as a plain ``str`` (a subclass's copy, a path's bytes decoded; ``""`` for anything
    else), never calling a method of the submission's class; ``own(filename)``: code compiled from ``filename`` is the
    submission's, or made from a string: no library's, nor the grader's."""
    plain, raw, kind_of, failed, copy, decode, startswith = (str, bytes, type, Exception, str.__str__, bytes.decode,
                                                             str.startswith)
    encoding = sys.getfilesystemencoding()  # (os.fsdecode's, in C: os's own function reads os's namespace)

    def text(value: Any) -> str:
        kind = kind_of(value)
        if kind is plain:
            return value
        if kind is raw:
            try:
                return decode(value, encoding, "surrogateescape")
            except failed:
                return ""
        try:
            return copy(value)
        except failed:
            return ""

    def own(filename: str) -> bool:
        return startswith(filename, scratch) or not startswith(filename, library)

    return text, own


def _stack(own: Callable[[str], bool], text: Callable[[Any], str]) -> tuple[Callable[..., bool], Callable[..., bool]]:
    """``on_stack(frame)``: the submission's code (or code made from a string) runs at ``frame`` or below it, with no
    import in progress between them (an import runs a library's own module code); ``read_now(frame)``: code made at
    ``frame`` is read (:func:`_runtime_code`): always, but where an import lies on the stack above every frame of the
    submission's (red team 59: a ``weakref.finalize`` callback or a ``__del__`` runs where the collector happens to
    free its object, an import's frames too, and its code is never the import's own)."""
    importing, finalizers, endswith = IMPORTING, FINALIZERS, str.endswith

    def on_stack(frame: Any) -> bool:
        while frame is not None:
            filename = text(frame.f_code.co_filename)
            if filename in importing:
                return False
            if own(filename):
                return True
            frame = frame.f_back
        return False

    def read_now(frame: Any) -> bool:
        while frame is not None:
            code = frame.f_code
            filename, name = text(code.co_filename), text(code.co_name)
            if own(filename) or name == "__del__" or name == "__call__" and endswith(filename, finalizers):
                return True
            if filename in importing:
                return False
            frame = frame.f_back
        return True

    return on_stack, read_now


def _frames(own: Callable[[str], bool], text: Callable[[Any], str], on_stack: Callable[..., bool],
            look: Callable[..., Any], trusted: tuple[str, ...], stdlib: tuple[str, ...], installed: tuple[str, ...],
            walls: list[Any]) -> Callable[..., str]:
    """``refused(event, args, frame)``: the error message when a frame (or, by the garbage collector, any object) is
    not handed to the code at ``frame`` that raised ``event`` ("" when it is): to the submission's own code, or code
    made from a string (red team 57 took ``sys._getframe`` through ``torch.fx``); to a frame hander's caller or a
    traceback reader's that is none of the trusted packages while the submission runs (:data:`HANDERS`,
    :data:`TRACEBACK_READERS`: red team 95's ``functools.cached_property(inspect.stack)``, 96's
    ``xmlrpc.server.resolve_dotted_attribute``); to whatever consumes ``traceback``'s own frame walkers
    (``walk_tb``, ``walk_stack``: red team 100 called ``walk_tb`` on its own traceback; ``traceback``'s summaries
    consume them themselves and hand no frame on); to a library other than the standard library and the trusted
    packages while the submission runs (red team 80: ``stack_data``); the frame of the submission's own generator or
    coroutine to anyone (red team 60: ``asyncio``'s ``get_stack``), nor, while the submission runs, that of any
    generator running now, whose ``f_back`` is the live stack (red team 101:
    ``asyncio.Task(heapq.merge(…)).get_stack()`` from the merge's own key callback); and the wall's own frame, which
    a traceback of an error it raised holds, to anyone."""
    startswith, endswith, handers, readers, handed, suspended, code_of, running = (
        str.startswith, str.endswith, HANDERS, TRACEBACK_READERS, HANDED_FRAMES, SUSPENDED_FRAMES, dict(CODE_OF),
        dict(RUNNING))
    tb_frame, kind_of, plain, generator = TB_FRAME, type, str, GENERATOR

    def for_another(reader: str, owners: tuple[str, ...], frame: Any) -> bool:
        return not (startswith(reader, trusted) or endswith(reader, owners)) and on_stack(frame)

    def below_submission(asker: str, frame: Any) -> bool:
        return not (startswith(asker, trusted) or startswith(asker, stdlib) and not startswith(asker, installed)) \
            and on_stack(frame)

    def runs_submission(owner: Any, attribute: str) -> bool:
        filename = look(code_of[attribute], owner).co_filename
        return kind_of(filename) is not plain or own(filename)

    def handed_on(given: Any, frame: Any) -> bool:  # (a frame hander's caller, ``given`` the frame it gets)
        caller = text(given.f_code.co_filename)
        return own(caller) or for_another(caller, handers, frame)

    def walked_for_another(asker: str, frame: Any) -> bool:  # (``traceback``'s frame walkers are generators: the
        consumer = frame.f_back  # frame that resumes one, its consumer, gets each frame it yields)
        return endswith(asker, readers) and frame.f_code.co_flags & generator and consumer is not None and \
            not endswith(consumer_file := text(consumer.f_code.co_filename), readers) and \
            for_another(consumer_file, readers, frame)

    def refused(event: str, args: tuple[Any, ...], frame: Any) -> str:
        attribute = text(args[1]) if event == "object.__getattr__" else ""
        if attribute in suspended and runs_submission(args[0], attribute):
            return f"the grader does not let code reach the frame of the submission's own generator or coroutine " \
                   f"({attribute})"
        if attribute in suspended and running[attribute](args[0]) and on_stack(frame):
            return f"the grader does not let code reach the frame of a generator or coroutine running now, on the " \
                   f"call stack ({attribute})"
        if attribute == "tb_frame" and look(tb_frame, args[0]).f_code in walls:
            return f"the grader does not let code reach the frames of its own audit hook ({event})"
        asker, what = text(frame.f_code.co_filename), "the garbage collector's objects" if startswith(event, "gc.") \
            else "the call stack's frames"
        if own(asker) or attribute == "tb_frame" and for_another(asker, readers, frame) or \
                (not attribute or attribute in handed) and below_submission(asker, frame) or \
                (attribute == "tb_frame" or event == "sys._getframe") and walked_for_another(asker, frame) or \
                event == "sys._getframe" and endswith(asker, handers) and handed_on(args[0], frame):
            return f"the grader does not let a submission reach {what} ({event})"
        return ""

    return refused


def _code(own: Callable[[str], bool], text: Callable[[Any], str], read_now: Callable[..., bool],
          look: Callable[..., Any], door_in_code: Callable[[Any], str],
          package: str) -> tuple[Callable[..., bool], Callable[..., str]]:
    """``changes_code(function, name, frame)``: setting ``function``'s ``name`` at ``frame`` changes what runs: its
    ``__code__``, whoever's and whoever sets it (red team 83: IPython's ``deduperreload`` put the file's code into the
    probes' functions; 84 and 85 did it under an import, from C, with no frame of the file's); the defaults of a
    grader's function; or a library's, but by its own module code as it is imported (matplotlib sets its own).
    ``runtime_code(event, args, frame)``: why code made from a string at ``frame`` may not run ("" when it may): it
    reaches a door (``door_in_code``: red team 58 had ``dataclasses`` write a comprehension over ``__globals__``),
    claims a library's file name (every guard trusts library code by its file name: red teams 85 and 86), is a code
    object made or edited (``code.replace``), or is a library's code run by hand; code an import compiles and runs
    is the library's own (``read_now``)."""
    function_type, code_of, globals_of, get, startswith = (types.FunctionType, types.FunctionType.__code__.__get__,
                                                          types.FunctionType.__globals__.__get__, dict.get,
                                                          str.startswith)
    inside, ident, reading, kind_of, too_deep = package + ".", _thread.get_ident, {}, type, RecursionError
    utf8, raw, plain = str.encode, bytes, str
    collecting, stop_collecting, collect_again = gc.isenabled, gc.disable, gc.enable

    def changes_code(function: Any, name: str, frame: Any) -> bool:
        if name == "__code__" or kind_of(function) is not function_type:
            return True
        filename = text(look(code_of, function).co_filename)
        named = text(get(globals_of(function), "__name__"))  # (the module a function's namespace says is its own)
        if named == package or startswith(named, inside):
            return True
        return not own(filename) and read_now(frame)

    def runtime_code(event: str, args: tuple[Any, ...], frame: Any) -> str:
        if reading and (own_parse := get(reading, ident())) is not None:  # (a string is being read on this thread)
            if event == "compile" and kind_of(args[0]) is raw and args[0] == own_parse:
                return ""  # (the reading's own parse: the very text it reads, as compile hands it over)
            return "run code while a string of its is being read"  # (red team 128 ran the file's code inside it)
        if event == "code.__new__" and (not own(text(args[1])) or read_now(frame)):
            return "make code objects (code.__new__)"
        if event == "code.__new__" or not read_now(frame):
            return ""
        if event == "exec":
            return "" if own(text(args[0].co_filename)) else "run a library's code by hand (exec)"
        if not own(text(args[1])):
            return "compile code under a library's file name"
        me, on = ident(), collecting()
        source = args[0]
        reading[me] = source if kind_of(source) is raw else utf8(source) if kind_of(source) is plain else b""
        stop_collecting()  # (a collection while it reads would run the submission's finalizers, unread: red team 59's
        try:  # exec of a string, freed by a later probe; the reading itself runs no code of the submission's)
            door = door_in_code(args[0])
        except too_deep:  # (too deep in the stack to read: red team 127 compiled there, and it went unread)
            door = "code compiled too deep in the stack to be read"
        finally:
            reading.pop(me, None)
            if on:
                collect_again()
        return f"run code made from a string that reaches {door}" if door else ""

    return changes_code, runtime_code


def _written(text: Callable[[Any], str], scratch: str, own_file: str,
             torch: tuple[str, ...]) -> Callable[..., tuple[Any, str]]:
    """``written(event, args, asker)``: whether ``event`` (``compile``, ``open``, ``ctypes.dlopen``) runs a file the
    submission wrote in its scratch folder as code (red team 56: ``torch.hub.load`` of a ``hubconf.py`` it wrote ran
    with the real builtins): no such file is compiled (but by torch's own caches, which torch compiles itself), no
    compiled ``.pyc`` of one is read, and no library of one is loaded. The error to raise and its message (None and
    "": none); ``asker`` is the file of the code that raised the event (a compile's only)."""
    startswith, endswith, partition, refuse, deny = (str.startswith, str.endswith, str.rpartition, RuntimeError,
                                                      PermissionError)

    def written(event: str, args: tuple[Any, ...], asker: str) -> tuple[Any, str]:
        path = text(args[1] if event == "compile" else args[0])
        if not startswith(path, scratch) or path == own_file:
            return None, ""
        refused = f"the grader does not let a submission run a file it wrote ({partition(path, '/')[2]})"
        if event == "open" and endswith(path, (".pyc", ".pyo")) or event == "ctypes.dlopen":
            return deny, refused  # (an import then reads the source instead, as for any unreadable .pyc)
        if event == "compile" and not startswith(asker, torch):
            return refuse, refused
        return None, ""

    return written


def _unpickling(on_stack: Callable[..., bool], own_modules: tuple[str, str]) -> Callable[..., bool]:
    """``unpickles(args, frame)``: an unpickler looks a global up (the audit event ``pickle.find_class``) while the
    submission's code runs, other than a plain name of the submission's own module (a class the notebook defines,
    ``torch.save``'d and loaded): it reads any attribute by a dotted name, in C (red team 97:
    ``multiprocessing.reduction.ForkingPickler.loads`` read ``…run_backward.__globals__``). Plain data needs no
    global; torch's own ``weights_only`` unpickler looks none up this way."""
    kind_of, plain = type, str

    def unpickles(args: tuple[Any, ...], frame: Any) -> bool:
        module, name = args[0], args[1]
        if kind_of(module) is plain and kind_of(name) is plain and "." not in name and module in own_modules:
            return False
        return on_stack(frame)

    return unpickles


def _hook(looking: Callable[[], bool], look: Callable[..., Any], text: Callable[[Any], str],
          frame_refused: Callable[..., str], changes_code: Callable[..., bool], runtime_code: Callable[..., str],
          written: Callable[..., tuple[Any, str]],
          unpickles: Callable[..., bool], threads: Callable[[], Any]) -> Callable[[str, tuple[Any, ...]], None]:
    """The audit hook itself: each event to the check that is its business, the code that raised it found only
    when a check needs it (a frame two up: the hook's, then the raiser's); :data:`KERNEL_THREADS` answered with what
    the kernel says of the child's threads (``threads()``, appended to the list the event carries)."""
    getframe, refuse, tracing, frames, attributes, changed, runtime, files, kind_of, plain, listed, asked = (
        sys._getframe, RuntimeError, TRACING, FRAMES, FRAME_ATTRIBUTES, CHANGED_CODE, RUNTIME_CODE, WRITTEN_FILES,
        type, str, list, KERNEL_THREADS)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if looking():
            return  # (the wall's own look at a frame or a code object)
        if event == asked:
            if kind_of(args[0]) is listed:
                args[0].append(threads())
            return
        if event in tracing:
            raise refuse(f"the grader does not let a submission set a trace or profile hook ({event})")
        if event == "sys.addaudithook":  # (Python then leaves the new hook out, quietly)
            raise refuse("the grader does not let a submission add an audit hook: it runs inside the probes' frames")
        if event == "object.__setattr__" and kind_of(args[1]) is plain and args[1] in changed and \
                changes_code(args[0], args[1], look(getframe, 2)):
            raise refuse(f"the grader does not let code change a function's {args[1]}")
        if event == "pickle.find_class" and unpickles(args, look(getframe, 2)):
            raise refuse(f"the grader does not let a submission unpickle a global ({args[0]}.{args[1]}): an "
                         "unpickler reads any attribute by its dotted name")
        raiser = look(getframe, 2) if event in runtime else None  # (a compile's: both its checks read it)
        if raiser is not None and (why := runtime_code(event, args, raiser)):
            raise refuse(f"the grader does not let a submission {why}")
        if event in frames and (event != "object.__getattr__" or args[1] in attributes) and \
                (why := frame_refused(event, args, look(getframe, 2))):
            raise refuse(why)
        if event in files:
            error, why = written(event, args, text(raiser.f_code.co_filename) if event == "compile" else "")
            if error is not None:
                raise error(why)

    return hook


def _kernel_threads(own_pid_namespace: bool) -> Callable[[], tuple[int | None, int | None]]:
    """``threads()``: how many threads of this process are alive (``/proc/self/status``'s ``Threads``) and the last
    process id its pid namespace gave out (``/proc/sys/kernel/ns_last_pid``), where the namespace is the sandbox's
    own (elsewhere the machine's other processes take ids too); (None, None) where not, and (-1, -1) where it is but
    the kernel could not be read (red team 101 set its open-file limit to 0: an unread count is no count of none)."""
    open_, read, close, number, failed = os.open, os.read, os.close, int, Exception

    def threads() -> tuple[int | None, int | None]:
        if not own_pid_namespace:
            return None, None
        try:
            handle = open_("/proc/self/status", 0)
            try:
                status = read(handle, 1 << 16)
            finally:
                close(handle)
            handle = open_("/proc/sys/kernel/ns_last_pid", 0)
            try:
                last = number(read(handle, 64))
            finally:
                close(handle)
            return number(status.partition(b"\nThreads:")[2].partition(b"\n")[0]), last
        except failed:
            return -1, -1

    return threads


def _codes(function: Any, found: list[Any]) -> list[Any]:
    """The code of ``function`` and of every function its closure holds, and theirs (the wall's own frames)."""
    if function.__code__ not in found:
        found.append(function.__code__)
        for cell in function.__closure__ or ():
            if isinstance(cell.cell_contents, types.FunctionType):
                _codes(cell.cell_contents, found)
    return found
