"""Runs a WASI program under a real Wasmtime (the `wasmtime` Python package, which embeds
Wasmtime's C API), as `wasmtime run` would: a core module, an engine with preloaded modules
(`--preload NAME=FILE`), or a WASI 0.2 command component (`--component`).

Installed by scripts/setup-wasmtime into <repo>/.cache/wasmtime (the pinned version). The tests
call it through packages/wasi/test/support/wasmtime.mjs.

Usage:
  run.py [options] FILE [ARG...]
    --preload NAME=FILE   instantiate FILE first and link its exports as module NAME
    --component           FILE is a component: run its wasi:cli/run export with WASI 0.2
    --dir HOST::GUEST     preopen a host directory (read-write)
    --env NAME=VALUE      set a guest environment variable (the guest sees no others)
    --stdin FILE          the guest's stdin (default: empty)
    --stdout FILE, --stderr FILE
                          where the guest's output goes (default: this process's streams)
    --argv0 NAME          the guest's argv[0] (default: FILE's name)
    --result FILE         write {"exitCode", "trap", "error"} as JSON there
    --bench N             instantiate and run N times (the modules compiled once) and write
                          per-start timings (seconds) to the result file
Compiled code is cached by the sha256 of the file in $WASM_RUNTIME_WASMTIME_CACHE when it is set
(Wasmtime's own serialized form, trusted: only point it at a directory this harness writes).
Exit code: the guest's; 125 when the harness itself failed (bad module, missing import), 134 on a
trap (as a signal-killed process would); the message goes to stderr and the result file.
"""

import hashlib
import json
import os
import sys
import tempfile
import time

import wasmtime
import wasmtime.component


def parse_args(argv):
    opts = {"preload": [], "dirs": [], "env": [], "stdin": None, "stdout": None, "stderr": None,
            "result": None, "component": False, "argv0": None, "bench": 0}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--component":
            opts["component"] = True
            i += 1
            continue
        if a.startswith("--") and a[2:] in ("preload", "dir", "env", "stdin", "stdout", "stderr",
                                            "result", "argv0", "bench"):
            if i + 1 >= len(argv):
                raise SystemExit(f"run.py: {a} needs a value")
            value = argv[i + 1]
            key = a[2:]
            if key == "preload":
                name, sep, path = value.partition("=")
                if not sep:
                    raise SystemExit(f"run.py: --preload wants NAME=FILE, got {value!r}")
                opts["preload"].append((name, path))
            elif key == "dir":
                host, sep, guest = value.partition("::")
                opts["dirs"].append((host, guest if sep else host))
            elif key == "env":
                name, _, val = value.partition("=")
                opts["env"].append((name, val))
            elif key == "bench":
                opts["bench"] = int(value)
            else:
                opts[key] = value
            i += 2
            continue
        break
    rest = argv[i:]
    if not rest:
        raise SystemExit(__doc__)
    return opts, rest[0], rest[1:]


def wasi_config(opts, file, args, empty_stdin):
    wasi = wasmtime.WasiConfig()
    wasi.argv = [opts["argv0"] or os.path.basename(file), *args]
    wasi.env = opts["env"]
    wasi.stdin_file = opts["stdin"] or empty_stdin
    if opts["stdout"]:
        wasi.stdout_file = opts["stdout"]
    else:
        wasi.inherit_stdout()
    if opts["stderr"]:
        wasi.stderr_file = opts["stderr"]
    else:
        wasi.inherit_stderr()
    for host, guest in opts["dirs"]:
        wasi.preopen_dir(host, guest)
    return wasi


def exit_code_of(error):
    """The guest's exit code when `error` is a WASI exit, else None."""
    if isinstance(error, wasmtime.ExitTrap):
        return error.code
    # A component's wasi:cli/exit surfaces as an error whose message carries the code.
    text = str(error)
    for prefix in ("Exited with i32 exit status ", "exit status "):
        at = text.find(prefix)
        if at >= 0:
            digits = text[at + len(prefix):].split()[0].rstrip(".,")
            if digits.lstrip("-").isdigit():
                return int(digits)
    return None


def load(engine, path, kind):
    """Compiles `path` as a `kind` (wasmtime.Module or wasmtime.component.Component), through the
    cache of compiled code when one is configured."""
    cache = os.environ.get("WASM_RUNTIME_WASMTIME_CACHE")
    if not cache:
        return kind.from_file(engine, path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    cached = os.path.join(cache, f"{kind.__name__.lower()}-{digest}.cwasm")
    if os.path.exists(cached):
        return kind.deserialize_file(engine, cached)
    compiled = kind.from_file(engine, path)
    os.makedirs(cache, exist_ok=True)
    tmp = f"{cached}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(compiled.serialize())
    os.replace(tmp, cached)
    return compiled


class Program:
    """The compiled program: compiled once, started by `start()` in a fresh store each time."""

    def __init__(self, opts, file, args, empty_stdin):
        config = wasmtime.Config()
        config.wasm_exceptions = True
        self.engine = wasmtime.Engine(config)
        self.opts, self.file, self.args, self.empty_stdin = opts, file, args, empty_stdin
        if opts["component"]:
            self.component = load(self.engine, file, wasmtime.component.Component)
            self.linker = wasmtime.component.Linker(self.engine)
            self.linker.add_wasip2()
        else:
            self.module = load(self.engine, file, wasmtime.Module)
            self.preloads = [(name, load(self.engine, path, wasmtime.Module))
                             for name, path in opts["preload"]]
            self.linker = wasmtime.Linker(self.engine)
            self.linker.define_wasi()
            self.linker.allow_shadowing = True

    def start(self):
        """Instantiates and runs the program once; returns the exit code."""
        store = wasmtime.Store(self.engine)
        store.set_wasi(wasi_config(self.opts, self.file, self.args, self.empty_stdin))
        if self.opts["component"]:
            instance = self.linker.instantiate(store, self.component)
            run = None
            for version in ("0.2.0", "0.2.3", "0.2.6"):
                iface = instance.get_export_index(store, f"wasi:cli/run@{version}")
                if iface is not None:
                    index = instance.get_export_index(store, "run", iface)
                    run = instance.get_func(store, index)
                    break
            if run is None:
                raise RuntimeError("the component exports no wasi:cli/run@0.2.x interface")
            try:
                result = run(store)
                run.post_return(store)
            except (wasmtime.WasmtimeError, wasmtime.Trap) as error:
                code = exit_code_of(error)
                if code is None:
                    raise
                return code
            # run returns result<_, _>: the component model gives an error value as an exception
            # in some versions, a value in others.
            return 1 if result is not None and getattr(result, "tag", None) == "err" else 0
        for name, module in self.preloads:
            self.linker.define_instance(store, name, self.linker.instantiate(store, module))
        instance = self.linker.instantiate(store, self.module)
        start = instance.exports(store).get("_start")
        if start is None:
            raise RuntimeError(f"{self.file} exports no _start function")
        try:
            start(store)
        except wasmtime.ExitTrap as error:
            return error.code
        return 0


def main():
    opts, file, args = parse_args(sys.argv[1:])
    result = {"exitCode": None, "trap": None, "error": None}
    status = 125
    with tempfile.NamedTemporaryFile(prefix="wasmtime-stdin-") as empty:
        try:
            program = Program(opts, file, args, empty.name)
            if opts["bench"] > 0:
                times = []
                for _ in range(opts["bench"]):
                    t0 = time.perf_counter()
                    code = program.start()
                    times.append(time.perf_counter() - t0)
                result["starts"] = times
            else:
                code = program.start()
            result["exitCode"] = code
            status = code
        except wasmtime.Trap as error:
            result["trap"] = str(error)
            status = 134
        except Exception as error:  # noqa: BLE001 - reported as the harness's failure
            code = exit_code_of(error)
            if code is not None:
                result["exitCode"] = code
                status = code
            elif "wasm trap" in str(error) or "wasm backtrace" in str(error):
                result["trap"] = str(error)
                status = 134
            else:
                result["error"] = str(error)
    if result["trap"] or result["error"]:
        print(f"wasmtime: {result['trap'] or result['error']}", file=sys.stderr)
    if opts["result"]:
        with open(opts["result"], "w", encoding="utf-8") as out:
            json.dump(result, out)
    sys.exit(status & 0xFF if status >= 0 else 125)


if __name__ == "__main__":
    main()
