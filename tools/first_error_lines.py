#!/usr/bin/env python3
"""Prints how many lines a compiler's first error takes, and the lines.

The first error is every line up to its error line, then its notes and
source excerpts, until the next diagnostic starts (an "In file included
from" or "In instantiation of" line, or another error). Used to measure
the diagnostics of docs/diagnostics.md.

Usage: first_error_lines.py SOURCE -- COMPILER [FLAGS...]
"""
import re
import subprocess
import sys

src, cmd = sys.argv[1], sys.argv[3:]
out = subprocess.run(cmd + ["-fsyntax-only", "-x", "c++", src], capture_output=True,
                     text=True).stderr.splitlines()
lines, seen_error = [], False
starts = re.compile(r"^In file included from|: In instantiation of|: In function|: In member function")
for line in out:
    if seen_error and (re.search(r"\berror:", line) or starts.search(line)):
        break
    lines.append(line)
    seen_error = seen_error or bool(re.search(r"\berror:", line))
print(len(lines))
for line in lines:
    print("  " + line[:160])
