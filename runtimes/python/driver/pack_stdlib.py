"""Compiles a standard library to .pyc and packs it, reproducibly (run by the build python).

Usage: pack_stdlib.py OUT (zip|tree) GUEST_PREFIX SRC_DIR... [--exclude NAME...]

Every SRC_DIR's .py files (later directories win on a clash) are compiled to unchecked-hash
.pyc (no timestamps, never revalidated against a source) whose code objects name the file by
GUEST_PREFIX/<path>.py, then written as a stored zip with fixed dates (zip) or as a directory
tree (tree). Top-level names given after --exclude are left out with everything under them.
"""

import importlib.util
import os
import sys
import zipfile

# The zip epoch: entries carry no build time.
DATE = (1980, 1, 1, 0, 0, 0)


def collect(dirs, exclude):
    files = {}
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(top):
            rel_dir = os.path.relpath(dirpath, top)
            parts = [] if rel_dir == "." else rel_dir.split(os.sep)
            if parts and parts[0] in exclude:
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in filenames:
                if not name.endswith(".py"):
                    continue
                if not parts and name[:-3] in exclude:
                    continue
                files["/".join(parts + [name])] = os.path.join(dirpath, name)
    return dict(sorted(files.items()))


def compile_one(src, display):
    with open(src, "rb") as f:
        source = f.read()
    code = compile(source, display, "exec", dont_inherit=True, optimize=0)
    source_hash = importlib.util.source_hash(source)
    from importlib._bootstrap_external import _code_to_hash_pyc

    return bytes(_code_to_hash_pyc(code, source_hash, checked=False))


def main(argv):
    if "--exclude" in argv:
        at = argv.index("--exclude")
        exclude = set(argv[at + 1:])
        argv = argv[:at]
    else:
        exclude = set()
    out, form, prefix, *dirs = argv
    files = collect(dirs, exclude)
    if form == "zip":
        with zipfile.ZipFile(out + ".partial", "w", zipfile.ZIP_STORED) as z:
            for rel, src in files.items():
                info = zipfile.ZipInfo(rel[:-3] + ".pyc", DATE)
                info.external_attr = 0o644 << 16
                z.writestr(info, compile_one(src, f"{prefix}/{rel}"))
        os.replace(out + ".partial", out)
    elif form == "tree":
        for rel, src in files.items():
            target = os.path.join(out, rel[:-3] + ".pyc")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(compile_one(src, f"{prefix}/{rel}"))
    else:
        raise SystemExit(f"unknown form {form!r}: zip or tree")
    print(f"{len(files)} modules", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
