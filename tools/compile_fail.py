#!/usr/bin/env python3
"""Runs one compile-fail test.

Usage: compile_fail.py [--no-control] SOURCE -- COMPILER [FLAGS...]

SOURCE holds an ok/ko pair (Eigen's failtest style): compiled as it is, it
must compile, which proves the snippet is otherwise sound; compiled with
-DKETL_SHOULD_FAIL it must fail, and every `// EXPECT-ERROR: <regex>` line in
SOURCE must match the compiler's output. --no-control skips the first
compile, for a second compiler when another one has compiled the control.
"""
import re
import subprocess
import sys


def main():
    args = sys.argv[1:]
    control = True
    if args and args[0] == "--no-control":
        control, args = False, args[1:]
    if len(args) < 3 or args[1] != "--":
        print(__doc__)
        return 2
    src, cmd = args[0], args[2:]
    with open(src, encoding="utf-8") as f:
        expected = [m.group(1).strip() for m in re.finditer(r"//\s*EXPECT-ERROR:\s*(.+)", f.read())]
    if not expected:
        print(f"{src}: no EXPECT-ERROR line")
        return 1
    base = cmd + ["-fsyntax-only", "-x", "c++", src]
    ok = subprocess.run(base, capture_output=True, text=True) if control else None
    if ok is not None and ok.returncode != 0:
        print(f"{src}: the control (without KETL_SHOULD_FAIL) does not compile:\n{ok.stderr}")
        return 1
    ko = subprocess.run(base + ["-DKETL_SHOULD_FAIL"], capture_output=True, text=True)
    if ko.returncode == 0:
        print(f"{src}: compiled with KETL_SHOULD_FAIL, but it must not")
        return 1
    out = ko.stdout + ko.stderr
    missing = [e for e in expected if not re.search(e, out)]
    if missing:
        print(f"{src}: the diagnostic lacks {missing}; it was:\n{out}")
        return 1
    errors = len(re.findall(r"\berror\b:", out))
    print(f"{src}: fails as intended ({errors} error lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
