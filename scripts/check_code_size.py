#!/usr/bin/env python3
"""Keeps the code readable (framework/, tests/, bench/): no file over 400 lines, no
function over 60 lines.

A function is a definition that starts at column 0 (poda does not indent namespaces) and
ends at the next line that is a lone '}' at column 0; its length counts both lines.
Prints every offender and exits 1 when there is one. Usage: check_code_size.py [DIR ...]
"""
import pathlib
import re
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
SOURCE = {".cpp", ".h"}
# A column-0 line that opens a function body: a signature ending in '{' (possibly after
# const/override/noexcept), not a namespace, class, struct, enum or initialiser list.
OPENS = re.compile(r"^[A-Za-z_~].*\)\s*(const)?\s*(noexcept)?\s*(override)?\s*\{\s*$")
NOT_FUNCTION = re.compile(r"^(namespace|class|struct|enum|union|extern|template\s*<[^>]*>\s*(class|struct))\b")


def function_lengths(lines):
    """(first line number, name, length) of every column-0 function in a file."""
    start = None
    name = ""
    for number, line in enumerate(lines, 1):
        if start is None:
            if OPENS.match(line) and not NOT_FUNCTION.match(line):
                start = number
                name = line.split("(")[0].split()[-1] if "(" in line else line.strip()
            continue
        if line.rstrip() == "}":
            yield start, name, number - start + 1
            start = None


def wrapped_starts(lines):
    """Functions whose signature spans lines: the body opens on an indented line ending in
    ') {' (or ') const {') right after a column-0 line; counted from the column-0 line."""
    for i, line in enumerate(lines):
        if i and re.search(r"\)\s*(const)?\s*(override)?\s*\{\s*$", line) and line.startswith(" "):
            j = i - 1
            while j > 0 and lines[j].startswith(" "):
                j -= 1
            head = lines[j]
            if head and not head.startswith((" ", "#", "/", "}")) and not NOT_FUNCTION.match(head):
                if "(" in head and not head.rstrip().endswith(";"):
                    yield j + 1, i + 1


def check(root):
    problems = []
    for path in sorted(pathlib.Path(root).rglob("*")):
        if path.suffix not in SOURCE or not path.is_file():
            continue
        lines = path.read_text(errors="replace").splitlines()
        if len(lines) > MAX_FILE_LINES:
            problems.append(f"{path}: {len(lines)} lines (at most {MAX_FILE_LINES})")
        spans = [(s, n, length) for s, n, length in function_lengths(lines)]
        for head, body in set(wrapped_starts(lines)):
            end = next((k + 1 for k in range(body, len(lines)) if lines[k].rstrip() == "}"), None)
            if end is not None:
                name = lines[head - 1].split("(")[0].split()[-1]
                spans.append((head, name, end - head + 1))
        for start, name, length in sorted(set(spans)):
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{path}:{start}: function {name} is {length} lines "
                                f"(at most {MAX_FUNCTION_LINES})")
    return problems


def main():
    roots = sys.argv[1:] or ["framework"]
    problems = [p for root in roots for p in check(root)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
