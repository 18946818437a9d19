"""The Python half of the wasm-runtime driver (driver.c calls these functions).

It is staged in the standard library archive, so it is imported at init like any module and
lives in every snapshot. Its job: import the app's entry module at init, with code objects
named by the app's own relative paths, and at each start make the restored interpreter the
run's (arguments, environment, a fresh `random` seed), then call `main()`.
"""

import sys
from importlib.machinery import FileFinder, SourceFileLoader

_root = None
_app = None


def _display_name(path):
    """The path a traceback shows: relative to the app root, as the user wrote it."""
    prefix = _root + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


class _AppLoader(SourceFileLoader):
    """A source loader whose code objects carry the app-relative file name.

    `__file__` stays the guest path (reading a file beside the module works), but tracebacks
    and warnings name `pkg/mod.py`, the user's own path; linecache finds the source again
    through sys.path, which holds the app root.
    """

    def source_to_code(self, data, path, *, _optimize=-1):
        return compile(data, _display_name(path), "exec", dont_inherit=True, optimize=_optimize)


def _app_path_hook(path):
    if path == _root or path.startswith(_root + "/"):
        return FileFinder(path, (_AppLoader, [".py"]))
    raise ImportError("not under the app root")


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


def init(root, entry):
    """Imports the entry module (its top level runs now) and returns it. Called once, at init."""
    global _root, _app
    _root = root.rstrip("/") or "/"
    sys.path_hooks.insert(0, _app_path_hook)
    sys.path_importer_cache.clear()
    import importlib

    _app = importlib.import_module(_module_name(entry))
    if not callable(getattr(_app, "main", None)):
        print(
            f"wasm-runtime/python: warning: {_display_name(entry)} has no main(): its top level "
            "ran once, now, at build time, and a start will fail with \"no main()\". Define "
            "def main(): ... in it (not needed if the app is only called through the reactor API).",
            file=sys.stderr,
        )
    return _app


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
        _flush()
        sys.excepthook(*sys.exc_info())
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

        return 1, traceback.format_exc().encode()
    finally:
        _flush()
