"""The Python half of the wasm-runtime driver (driver.c calls these functions).

It is staged in the standard library archive, so it is imported at init like any module and
lives in every snapshot. Its job: import the app's entry module at init, and at each start make
the restored interpreter the run's (arguments, environment, a fresh `random` seed), then call
`main()`, printing an uncaught exception's traceback with the app's files named as the user
knows them (`pkg/mod.py`, relative to the app root, instead of the guest's `/app/pkg/mod.py`).
"""

import sys

_root = None
_app = None


def _display_name(path):
    """The path a traceback shows: relative to the app root, as the user wrote it."""
    prefix = _root + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def _user_paths(text):
    """Rewrites the app's guest paths (`/app/pkg/mod.py`) in a printed traceback into the user's."""
    return text.replace(f'File "{_root}/', 'File "')


def _module_name(entry):
    rel = entry[len(_root) + 1:] if entry.startswith(_root + "/") else None
    if rel is None or not rel.endswith(".py"):
        raise ImportError(
            f"the entry {entry} must be a .py file under the app root {_root}"
        )
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    for part in parts:
        if not part.isidentifier():
            raise ImportError(
                f"the entry {rel} cannot be imported: {part!r} is not a Python identifier"
            )
    return ".".join(parts)


def init(root, entry, reactor):
    """Imports the entry module (its top level runs now). Called once, at init.

    Returns True, or False after printing why not (a traceback in the app's own paths, or the
    missing main()): the build then fails with that text.
    """
    global _root, _app
    _root = root.rstrip("/") or "/"
    try:
        name = _module_name(entry)
        # The import statement's machinery, which leaves importlib's own frames out of tracebacks.
        __import__(name)
        _app = sys.modules[name]
    except BaseException:
        _print_exception(1, rewrite=False)
        return False
    if not reactor and not callable(getattr(_app, "main", None)):
        # A script-style entry did all its work now, at build time, and could never start.
        print(
            f"wasm-runtime/python: {_display_name(entry)} has no main(): its top level ran once, "
            "now, at build time, and a start would have nothing to run. Define def main(): ... in "
            "it; for an app only called through the reactor API, set \"options\": "
            "{ \"reactor\": true } in wasm-runtime.config.json",
            file=sys.stderr,
        )
        return False
    return True


def restore(argv, environ):
    """Makes a restored interpreter the run's. Called once per instance, before anything else."""
    sys.argv[:] = argv
    sys.orig_argv[:] = argv
    import os

    # posix.environ is the dict behind os.environ and os.environb: refill it in place, so every
    # reference taken at init sees the run's environment.
    os.environ._data.clear()
    os.environ._data.update(environ)
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile._name_sequence = None
        tempfile.tempdir = None


def _exit_code(value):
    """sys.exit's rule: None is 0, an int is itself, anything else is printed and gives 1."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        print(value, file=sys.stderr)
    except Exception:
        pass
    return 1


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass


def _print_exception(skip, rewrite=True):
    """Prints the exception being handled as Python would, minus `skip` frames of this driver,
    in the user's paths (at build time the pipeline rewrites them itself)."""
    _flush()
    kind, value, tb = sys.exc_info()
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    if sys.excepthook is not sys.__excepthook__:
        sys.excepthook(kind, value, tb)
        return
    import traceback

    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(_user_paths(text) if rewrite else text)
    _flush()


def _finish(code):
    import atexit

    atexit._run_exitfuncs()
    _flush()
    return code


def run():
    """The command entry: calls the entry module's main() and returns the exit code."""
    main = getattr(_app, "main", None)
    if not callable(main):
        print(
            "wasm-runtime/python: the app has no main(): define def main(): ... in the entry module",
            file=sys.stderr,
        )
        return _finish(1)
    try:
        code = _exit_code(main())
    except SystemExit as exit:
        code = _exit_code(exit.code)
    except BaseException:
        _print_exception(1)
        code = 1
    return _finish(code)


def call(name, arg):
    """The reactor entry: calls the app's function `name` with bytes; returns (status, bytes).

    Status 0: the function returned bytes, a str (UTF-8) or None (empty). 1: it raised (the
    bytes are the traceback). 2: the app has no such function.
    """
    fn = getattr(_app, name, None)
    if not callable(fn):
        return 2, f"the app has no function named {name!r}".encode()
    try:
        result = fn(arg)
        if result is None:
            result = b""
        elif isinstance(result, str):
            result = result.encode()
        elif not isinstance(result, (bytes, bytearray, memoryview)):
            return 1, (
                f"{name!r} returned {type(result).__name__}: return bytes, str or None"
            ).encode()
        return 0, bytes(result)
    except BaseException:
        import traceback

        kind, value, tb = sys.exc_info()
        return 1, _user_paths("".join(traceback.format_exception(kind, value, tb.tb_next))).encode()
    finally:
        _flush()
