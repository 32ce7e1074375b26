#!/usr/bin/env bash
# The generator's cost, both halves: the GeneratorDriver benchmark (dotnet run -c Release --project
# tests/GeneratorBenchmarks) and the incremental build (build-cost.sh). Replaces their two tables in
# docs/benchmarks-data/generator-cost.md (between <!-- driver:… --> and <!-- build:… -->; the findings around them
# are prose, kept by hand) and that section of docs/benchmarks.md. About 4 minutes on 2 quiet cores.
#
#   tests/GeneratorBenchmarks/run.sh [--reps 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=5
[ "${1:-}" = --reps ] && REPS="${2:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modelgen-gencost.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
dotnet build -c Release tests/GeneratorBenchmarks -v q -nologo >/dev/null
dotnet tests/GeneratorBenchmarks/bin/Release/net10.0/ModelGen.GeneratorBenchmarks.dll --reps "$REPS" --markdown "$WORK/driver.md"
tests/GeneratorBenchmarks/build-cost.sh --reps 3 --markdown "$WORK/build.md"
/usr/bin/python3 - "$WORK/driver.md" "$WORK/build.md" <<'PY'
import os, re, sys

def splice(text, name, content):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = begin + "\n" + content.strip() + "\n" + end
    if begin in text and end in text:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    return text.rstrip() + "\n\n" + block + "\n"

def write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)

section_path = "docs/benchmarks-data/generator-cost.md"
section = open(section_path, encoding="utf-8").read()
section = splice(section, "driver", open(sys.argv[1], encoding="utf-8").read())
section = splice(section, "build", open(sys.argv[2], encoding="utf-8").read())
write(section_path, section)
page_path = "docs/benchmarks.md"
if os.path.exists(page_path):
    page = open(page_path, encoding="utf-8").read()
    if "<!-- generator-cost:begin -->" in page:
        write(page_path, splice(page, "generator-cost", section))
    else:
        print("run.sh: docs/benchmarks.md has no generator-cost section yet; compare.sh's report will add it", file=sys.stderr)
print("wrote " + section_path + " and its section of " + page_path)
PY
