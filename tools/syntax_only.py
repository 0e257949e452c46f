#!/usr/bin/env python3
"""Runs a compiler command (after --) and touches OUTPUT when it succeeds.

Usage: syntax_only.py OUTPUT -- COMPILER ARGS...
A meson custom_target needs an output file, and -fsyntax-only writes none.
"""
import pathlib
import subprocess
import sys

out, sep, *cmd = sys.argv[1:]
if sep != "--" or not cmd:
    sys.exit("usage: syntax_only.py OUTPUT -- COMPILER ARGS...")
result = subprocess.run(cmd, check=False)
if result.returncode == 0:
    pathlib.Path(out).touch()
sys.exit(result.returncode)
