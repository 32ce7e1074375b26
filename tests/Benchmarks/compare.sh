#!/usr/bin/env bash
# ModelGen vs PyTorch, one command: runs the 24 ModelGen benchmarks (BenchmarkDotNet; one thread and every core),
# then the PyTorch peer and the ONNX Runtime peer (ModelGen's ONNX export; inference) with one thread and with the
# whole machine, and writes docs/benchmarks.md and
# docs/benchmarks.png (raw results in docs/benchmarks-data/). About 17 minutes on 2 cores.
#
#   tests/Benchmarks/compare.sh                  run now
#   tests/Benchmarks/compare.sh --wait-quiet     first wait (up to 30 min) for a 1-minute load average < 0.7
#
# Needs the .NET 10 SDK and Debian's python3-torch (run with /usr/bin/python3; OpenBLAS: libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."

WAIT_QUIET=0
for arg in "$@"; do
  case "$arg" in
    --wait-quiet) WAIT_QUIET=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

PY=/usr/bin/python3
OUT=docs
DATA=docs/benchmarks-data
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modelgen-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

"$PY" -c 'import torch, numpy' 2>/dev/null || { echo "compare.sh: $PY cannot import torch and numpy (apt-get install python3-torch)" >&2; exit 1; }
if ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "compare.sh: libopenblas0-pthread is missing: apt-get install -y libopenblas0-pthread" >&2; exit 1
fi

load() { cut -d' ' -f1 /proc/loadavg; }
quiet() { awk -v l="$(load)" 'BEGIN { exit !(l < 0.7) }'; }

NOTE_QUIET=""
if [ "$WAIT_QUIET" = 1 ]; then
  for i in $(seq 1 30); do
    quiet && break
    echo "compare.sh: load average $(load), waiting for < 0.7 (minute $i of 30)"
    sleep 60
  done
fi
LOAD_START=$(load)
if quiet; then
  NOTE_QUIET="The machine was quiet when the run started (1-minute load average $LOAD_START < 0.7)."
else
  NOTE_QUIET="**The machine was not quiet**: the 1-minute load average was $LOAD_START (≥ 0.7) when the run started$([ "$WAIT_QUIET" = 1 ] && echo ", after waiting up to 30 minutes" || true), so other work shared the 2 cores and the numbers are noisier (and likelier too slow) than on an idle machine."
fi
echo "compare.sh: load average $LOAD_START; results in $WORK"

lscpu > "$WORK/lscpu.txt"

# Other builds may hold locks on shared outputs: retry a failed build after 20 s.
for attempt in 1 2 3 4 5; do
  if dotnet build -c Release tests/Benchmarks -v q -nologo; then break; fi
  [ "$attempt" = 5 ] && { echo "compare.sh: build failed" >&2; exit 1; }
  echo "compare.sh: build failed (attempt $attempt), retrying in 20 s"; sleep 20
done

echo "== ModelGen (BenchmarkDotNet)"
dotnet run -c Release --no-build --project tests/Benchmarks -- --filter '*' --join --json --artifacts "$WORK/bdn" | tee "$WORK/modelgen.log"

echo "== PyTorch, 1 thread"
"$PY" tests/Benchmarks/torch_peer.py --threads 1 --out "$WORK/torch-1.json"
echo "== PyTorch, whole machine"
"$PY" tests/Benchmarks/torch_peer.py --threads all --out "$WORK/torch-all.json"
echo "== ONNX Runtime (ModelGen's ONNX export), 1 thread"
dotnet run -c Release --no-build --project tests/Benchmarks -- --onnx-peer --threads 1 --out "$WORK/onnx-1.json"
echo "== ONNX Runtime, whole machine"
dotnet run -c Release --no-build --project tests/Benchmarks -- --onnx-peer --threads all --out "$WORK/onnx-all.json"
LOAD_END=$(load)

# Our own runs account for a load of about 1 (2 at the end, PyTorch on every core); clearly more means other
# work overlapped the measurement.
LOAD_TORCH1=$("$PY" -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["loadavg_start"])' "$WORK/torch-1.json")
NOTE_END="Load average at the end: $LOAD_END."
if awk -v a="$LOAD_TORCH1" -v b="$LOAD_END" 'BEGIN { exit !(a >= 1.6 || b >= 2.6) }'; then
  NOTE_END="$NOTE_END **Other work probably overlapped the run** (load average $LOAD_TORCH1 when PyTorch started, $LOAD_END at the end, against about 1 and 2 from the benchmarks alone): read the PyTorch whole-machine column with care."
fi
echo "$NOTE_QUIET $NOTE_END" > "$WORK/note.txt"

mkdir -p "$DATA"
rm -f "$DATA"/*
cp "$WORK/torch-1.json" "$WORK/torch-all.json" "$WORK/onnx-1.json" "$WORK/onnx-all.json" "$WORK/lscpu.txt" "$WORK/note.txt" "$DATA/"
cp "$WORK"/bdn/results/*-report-full*.json "$DATA/modelgen-report-full.json"
cp "$WORK"/bdn/results/*-report-github.md "$DATA/modelgen-report.md"
grep -v -E '^(Workload|Overhead|Pilot|// (Benchmark|Runtime|GC|Job|BeforeAnd|Launch|Overhead)|OverheadJitting|WorkloadJitting|WorkloadPilot|WorkloadWarmup|WorkloadActual|WorkloadResult|OverheadWarmup|OverheadActual)' \
  "$WORK/modelgen.log" > "$DATA/modelgen.log" || true
# The report reads only the saved raw results, so it can be redrawn later from docs/benchmarks-data alone.
dotnet run -c Release --no-build --project tests/Benchmarks -- --report --bdn "$DATA" \
  --torch1 "$DATA/torch-1.json" --torchall "$DATA/torch-all.json" --onnx1 "$DATA/onnx-1.json" --onnxall "$DATA/onnx-all.json" \
  --lscpu "$DATA/lscpu.txt" --out "$OUT" \
  --note "$(cat "$DATA/note.txt")"
echo "compare.sh: wrote $OUT/benchmarks.md, $OUT/benchmarks.png and $DATA/"
