#!/usr/bin/env python3
"""Checks that the module tables of docs/architecture.md agree with Package.swift.

Runs `swift package dump-package` (no build) at the repository root and takes every target except the
system libraries (CCUPS, CLibUSB, ...) and the fuzz targets (declared only with COUNTERD_FUZZ=1), with
its dependencies on other targets of this package (products of other packages are ignored). Then it
reads every table of docs/architecture.md whose header is `| Module | Job | Depends on |`: the first
column names one target in backticks, the third lists its in-package dependencies in backticks
("—" for none). Prints each target missing from the doc, each extra one and each dependency that
differs, and exits 1; exits 0 when they agree.

    scripts/check-architecture.py [--doc docs/architecture.md]
"""

import argparse
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = ["Module", "Job", "Depends on"]
BACKTICKED = re.compile(r"`([^`]+)`")


def package_targets():
    env = dict(os.environ)
    env.pop("COUNTERD_FUZZ", None)  # the fuzz targets are not part of the architecture
    result = subprocess.run(["swift", "package", "dump-package"], cwd=REPO, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"swift package dump-package failed (exit {result.returncode}):\n{result.stderr}")
    package = json.loads(result.stdout)
    names = {target["name"] for target in package["targets"]}
    targets = {}
    for target in package["targets"]:
        if target["type"] == "system" or target["name"].startswith("Fuzz"):
            continue
        dependencies = set()
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target"):
                if kind in dependency and dependency[kind][0] in names:
                    dependencies.add(dependency[kind][0])
        targets[target["name"]] = dependencies
    return targets


def cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def documented_targets(path):
    targets, problems = {}, []
    in_table = False
    with open(path, encoding="utf-8") as doc:
        for number, line in enumerate(doc, start=1):
            if not line.lstrip().startswith("|"):
                in_table = False
                continue
            row = cells(line)
            if row == HEADER:
                in_table = True
                continue
            if not in_table or all(set(cell) <= set("-: ") for cell in row):
                continue
            names = BACKTICKED.findall(row[0])
            if len(row) != 3 or len(names) != 1:
                problems.append(f"{path}:{number}: a row needs 3 columns and one `Module` in backticks: {line.strip()}")
                continue
            if names[0] in targets:
                problems.append(f"{path}:{number}: `{names[0]}` is in the tables twice")
            targets[names[0]] = set(BACKTICKED.findall(row[2]))
    return targets, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", default=os.path.join(REPO, "docs", "architecture.md"))
    doc_path = os.path.relpath(parser.parse_args().doc)

    package = package_targets()
    documented, problems = documented_targets(doc_path)
    if not documented and not problems:
        problems.append(f"{doc_path}: no table with the header | Module | Job | Depends on |")

    for name in sorted(package.keys() - documented.keys()):
        problems.append(f"- `{name}`: a target in Package.swift, missing from {doc_path}")
    for name in sorted(documented.keys() - package.keys()):
        problems.append(f"+ `{name}`: in {doc_path}, not a target in Package.swift")
    for name in sorted(package.keys() & documented.keys()):
        missing = package[name] - documented[name]
        extra = documented[name] - package[name]
        if missing or extra:
            problems.append(f"~ `{name}` depends on:")
            problems += [f"    - `{dependency}` (in Package.swift, not in the doc)" for dependency in sorted(missing)]
            problems += [f"    + `{dependency}` (in the doc, not in Package.swift)" for dependency in sorted(extra)]

    if problems:
        print(f"{doc_path} and Package.swift disagree:", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        print("Fix the table (or Package.swift) so that each non-system target has one row listing exactly "
              "its dependencies on this package's targets.", file=sys.stderr)
        return 1
    print(f"{doc_path}: {len(package)} targets and their dependencies match Package.swift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
