#!/usr/bin/env bash
# What a user waits for: the incremental `dotnet build` of a console project after touching its model file, with
# 0, 1 and 10 models, the project referencing ModelGen as a package user does (ModelGen.dll and the generator as an
# analyzer, no project references to re-check). Per build it reports the wall-clock time, the Csc task's time, and
# the generator's own time from the compiler (-p:ReportAnalyzer=true). Writes a Markdown table to stdout (and to
# --markdown FILE). About 4 minutes on 2 quiet cores.
#
#   tests/GeneratorBenchmarks/build-cost.sh [--reps 3] [--markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
REPS=3
MARKDOWN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="${2:?}"; shift ;;
    --markdown) MARKDOWN="${2:?}"; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

dotnet build -c Release src/ModelGen -v q -nologo >/dev/null
dotnet build -c Release generators/ModelGen.Generators -v q -nologo >/dev/null
RUNTIME="$ROOT/src/ModelGen/bin/Release/net10.0/ModelGen.dll"
GENERATOR="$ROOT/generators/ModelGen.Generators/bin/Release/netstandard2.0/ModelGen.Generators.dll"
TENSORS=$(grep -o 'System.Numerics.Tensors" Version="[^"]*' src/ModelGen/ModelGen.csproj | sed 's/.*Version="//')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/modelgen-buildcost.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

MODELS=(
  '[Sequential(TimeSteps = 4, Features = 1)] [SimpleRnn(10)] [Dense(1)] public partial class M0;'
  '[Sequential(TimeSteps = 100, Features = 2)] [Lstm(30, ReturnSequences = true)] [Lstm(30)] [Dense(1)] public partial class M1;'
  '[Sequential(TimeSteps = 28)] [Embedding(2000, 128)] [Lstm(196)] [Dense(2, Activation = "softmax")] public partial class M2;'
  '[Sequential(TimeSteps = 100)] [Embedding(500, 16)] [SimpleRnn(8)] [Dense(1, Activation = "sigmoid")] public partial class M3;'
  '[Sequential(TimeSteps = 10, Features = 1)] [Lstm(32)] [Dense(1)] public partial class M4;'
  '[Sequential(TimeSteps = 100, Features = 2)] [Gru(30, ReturnSequences = true)] [Gru(30)] [Dense(1)] public partial class M5;'
  '[Sequential(Features = 8)] [Lstm(64, ReturnSequences = true)] [Gru(48, ReturnSequences = true)] [SimpleRnn(32)] [Dense(1)] public partial class M6;'
  '[Sequential(Features = 4)] [Gru(128)] [Dense(3, Activation = "softmax")] public partial class M7;'
  '[Sequential(Features = 3)] [Lstm(20)] [Dense(1, Activation = "sigmoid")] public partial class M8;'
  '[Sequential(Features = 6)] [SimpleRnn(24, ReturnSequences = true)] [Lstm(12)] [Dense(2)] public partial class M9;'
)

row() { printf '%s\n' "$1"; [ -z "$MARKDOWN" ] || printf '%s\n' "$1" >> "$MARKDOWN"; }
[ -z "$MARKDOWN" ] || : > "$MARKDOWN"
row "Incremental \`dotnet build -c Release --no-restore\` after touching the model file (\`build-cost.sh\`, $(date -u '+%Y-%m-%d %H:%M') UTC, 1-minute load average $(cut -d' ' -f1 /proc/loadavg) at the start; medians of $REPS builds):"
row ""
row "| Models in the project | Build, wall | Csc task | ModelGen generator inside csc | All generators inside csc | All analyzers inside csc |"
row "|---:|---:|---:|---:|---:|---:|"

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else print a[int((NR + 1) / 2)] }'; }

for count in 0 1 10; do
  dir="$WORK/p$count"
  mkdir -p "$dir"
  cat > "$dir/Scratch.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="ModelGen"><HintPath>$RUNTIME</HintPath></Reference>
    <Analyzer Include="$GENERATOR" />
    <PackageReference Include="System.Numerics.Tensors" Version="$TENSORS" />
  </ItemGroup>
</Project>
PROJ
  {
    echo "using ModelGen;"; echo "namespace Scratch;"
    for ((i = 0; i < count; i++)); do echo "${MODELS[$i]}"; done
  } > "$dir/Models.cs"
  {
    echo "namespace Scratch;"; echo "public static class Program { public static int Main() {"
    echo "  int n = 0;"
    for ((i = 0; i < count; i++)); do echo "  n += new M$i().Parameters.Length;"; done
    echo "  System.Console.WriteLine(n); return 0; } }"
  } > "$dir/Program.cs"
  dotnet build -c Release "$dir" -v q -nologo > "$dir/first.log" 2>&1 || { cat "$dir/first.log" >&2; exit 1; }
  : > "$dir/wall"; : > "$dir/csc"; : > "$dir/gen"; : > "$dir/gens"; : > "$dir/ana"
  for ((r = 0; r < REPS; r++)); do
    echo "// touched $r" >> "$dir/Models.cs"
    start=$(date +%s.%N)
    dotnet build -c Release "$dir" --no-restore -nologo -v:detailed -p:ReportAnalyzer=true -clp:PerformanceSummary > "$dir/build.log" 2>&1
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }' >> "$dir/wall"
    # Task Performance Summary: "      1234 ms  Csc    1 calls"
    grep -E '^\s+[0-9]+ ms\s+Csc\s' "$dir/build.log" | awk '{ printf "%.2f\n", $1 / 1000 }' | tail -1 >> "$dir/csc"
    # csc /reportanalyzer: "Total analyzer execution time: 0.123 seconds." and per generator "   0.012   ModelGen.Generators.ModelGenerator"
    { grep -E 'ModelGen\.Generators\.ModelGenerator' "$dir/build.log" | grep -oE '^\s*[<0-9.]+' | head -1 | tr -d ' <' || true; } >> "$dir/gen"
    { grep -E 'Total generator execution time' "$dir/build.log" | grep -oE '[0-9.]+ seconds' | awk '{ printf "%.3f\n", $1 }' | tail -1 || true; } >> "$dir/gens"
    { grep -E 'Total analyzer execution time' "$dir/build.log" | grep -oE '[0-9.]+ seconds' | awk '{ printf "%.3f\n", $1 }' | tail -1 || true; } >> "$dir/ana"
  done
  row "| $count | $(median < "$dir/wall") s | $(median < "$dir/csc") s | $(median < "$dir/gen") s | $(median < "$dir/gens") s | $(median < "$dir/ana") s |"
  [ "$count" = 10 ] && cp "$dir/build.log" "$WORK/last-build.log"
done
row ""
row "Load average at the end: $(cut -d' ' -f1 /proc/loadavg)."
# The compiler's own breakdown for the ten-model build (generators and analyzers, slowest first).
grep -E '^\s+(Total (analyzer|generator) execution time|[<0-9.]+\s+[0-9]+\s+\S)' "$WORK/last-build.log" | head -30 >&2 || true
