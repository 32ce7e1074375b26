#!/usr/bin/env bash
# ModelGen vs PyTorch, one command: runs the 24 ModelGen benchmarks (BenchmarkDotNet; one thread and every core)
# at every vector width the machine has (512-bit AVX-512; 256-bit with DOTNET_EnableAVX512=0; 128-bit with FMA, as
# ARM64's NEON runs it, with DOTNET_PreferredVectorBitWidth=128; 128-bit SSE without FMA, as x64 without AVX, with
# DOTNET_EnableAVX=0), then the PyTorch peer and the ONNX Runtime peer (ModelGen's ONNX export;
# inference) with one thread and with the whole machine (once: they do not depend on .NET's width; on an AVX-512 CPU
# PyTorch once more on one thread as on a CPU without AVX-512, the peer of the widths below 512 bits), and writes
# docs/benchmarks.md and docs/benchmarks.png (raw results in docs/benchmarks-data/). The widest width runs the full
# BenchmarkDotNet jobs (~10 min on 2 cores), each other width the short ones (~4 min), and every width one thread
# against every core in alternating rounds (--thread-ratio, ~1 min), the bytes each step allocates in a loop
# (--alloc-check, ~1 min) and ModelGen against PyTorch in alternating rounds (--paired, ~2 min), then the 256-bit width
# against each 128-bit mode in alternating rounds (~2 min each); the peers ~8 min: about 50 minutes on a 2-core AVX-512
# machine (4 widths), 39 on an AVX2 one (3 widths).
#
#   tests/Benchmarks/compare.sh                         run now, every width this machine has
#   tests/Benchmarks/compare.sh --widths 256,128        only these widths (512, 256, 128, 128sse; the first one listed
#                                                       runs the full jobs)
#   tests/Benchmarks/compare.sh --full-all              full jobs at every width (~10 min each)
#   tests/Benchmarks/compare.sh --wait-quiet            first wait (up to 30 min) for a 1-minute load average < 0.7
#   tests/Benchmarks/compare.sh --all                   then also the size sweep (sweep.sh, ~12 min; on an AVX-512
#                                                       machine again at 256 bits, sweep.sh --width 256) and the
#                                                       generator's cost (tests/GeneratorBenchmarks/run.sh, ~4 min):
#                                                       the whole page
#
# Needs the .NET 10 SDK and Debian's python3-torch (run with /usr/bin/python3; OpenBLAS: libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/../.."

WAIT_QUIET=0
WIDTHS=""
FULL_ALL=0
ALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wait-quiet) WAIT_QUIET=1 ;;
    --widths) WIDTHS="${2:?--widths needs a list, e.g. 512,256,128}"; shift ;;
    --widths=*) WIDTHS="${1#--widths=}" ;;
    --full-all) FULL_ALL=1 ;;
    --all) ALL=1 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=widths.sh
. tests/Benchmarks/widths.sh
# shellcheck source=steal.sh
. tests/Benchmarks/steal.sh
if [ -z "$WIDTHS" ]; then WIDTHS="$AVAILABLE"; else WIDTHS=$(echo "$WIDTHS" | tr ',' ' '); fi
check_widths compare.sh "$WIDTHS"
echo "compare.sh: vector widths $WIDTHS (machine has: $AVAILABLE)"

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
TICKS_START=$(cpu_ticks)
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

FIRST=1
for w in $WIDTHS; do
  # shellcheck disable=SC2046 # width_env's output is zero or one VAR=value word
  seen=$(env $(width_env "$w") dotnet run -c Release --no-build --project tests/Benchmarks -- --vector-width)
  if [ "$seen" != "$w" ]; then
    echo "compare.sh: with '$(width_env "$w")' .NET runs in vector mode $seen, not $w: skipping that width" >&2; continue
  fi
  SHORT=1; { [ "$FIRST" = 1 ] || [ "$FULL_ALL" = 1 ]; } && SHORT=0
  echo "== ModelGen (BenchmarkDotNet), vector mode $w ($(width_env "$w" | sed 's/^$/no knob/'); $([ "$SHORT" = 1 ] && echo short || echo full) jobs)"
  # shellcheck disable=SC2046
  env $(width_env "$w") MODELGEN_BENCH_EXPECT_WIDTH="$w" MODELGEN_BENCH_SHORT="$SHORT" \
    dotnet run -c Release --no-build --project tests/Benchmarks -- --filter '*W?_*' --join --json --artifacts "$WORK/bdn-$w" | tee "$WORK/modelgen-$w.log"
  # One thread against every core in one process, alternating (ThreadRatio.cs says why; ~1 min): the report's
  # "not slower with more threads" status reads these.
  echo "== ModelGen, 1 thread against every core in alternating rounds, vector mode $w"
  # shellcheck disable=SC2046
  env $(width_env "$w") dotnet run -c Release --no-build --project tests/Benchmarks -- --thread-ratio --rounds 21 --json "$WORK/threads-$w.json"
  # Every thread's bytes while each step runs alone in a loop (AllocationCheck.cs says why; ~1 min): the report's
  # 0 B per step target reads these. A step that allocates is reported there, not a failure of the run.
  echo "== ModelGen, bytes allocated per step in a loop, vector mode $w"
  # shellcheck disable=SC2046
  # Exit 1: the check ran and a step allocated; anything else non-zero: it did not run to the end (no alloc-$w.json).
  rc=0
  env $(width_env "$w") dotnet run -c Release --no-build --project tests/Benchmarks -- --alloc-check --seconds 2 --json "$WORK/alloc-$w.json" || rc=$?
  if [ "$rc" = 1 ]; then echo "compare.sh: a step allocated at $w bits (alloc-$w.json)" >&2
  elif [ "$rc" != 0 ]; then echo "compare.sh: the allocation check failed at $w bits (exit $rc); the report has no --alloc-check row there" >&2
  fi
  # ModelGen and PyTorch in alternating rounds, one thread each (PairedPeer.cs says why; ~2 min): the report's
  # one-thread target status reads these.
  echo "== ModelGen against PyTorch in alternating rounds, one thread, vector mode $w"
  # shellcheck disable=SC2046
  env $(width_env "$w") MODELGEN_BENCH_EXPECT_WIDTH="$w" dotnet run -c Release --no-build --project tests/Benchmarks -- --paired --rounds 9 --python "$PY" --json "$WORK/paired-$w.json"
  FIRST=0
done

# 128 bits against 256 in alternating rounds, one thread (~2 min per 128-bit mode): the 256-bit process runs --paired
# against a 128-bit ModelGen process (--serve); the report's "128-bit against 256-bit" status reads these.
case " $WIDTHS " in *" 256 "*)
  for w in $WIDTHS; do
    case "$w" in 128|128sse) ;; *) continue ;; esac
    echo "== ModelGen at 256 bits against $w bits in alternating rounds, one thread"
    # shellcheck disable=SC2046
    env $(width_env 256) MODELGEN_BENCH_EXPECT_WIDTH=256 dotnet run -c Release --no-build --project tests/Benchmarks -- --paired --against-width "$w" --rounds 9 --json "$WORK/width-pair-$w.json" \
      || echo "compare.sh: the paired 256-against-$w run failed; the report compares the two widths' separate runs" >&2
  done ;;
esac

echo "== PyTorch, 1 thread"
"$PY" tests/Benchmarks/torch_peer.py --threads 1 --out "$WORK/torch-1.json"
# On an AVX-512 CPU, PyTorch's OpenBLAS runs AVX-512 kernels; ModelGen's widths below 512 bits stand for CPUs without
# AVX-512, so they are compared with PyTorch run as there (OpenBLAS's AVX2 kernels: torch_peer.py --blas-width 256).
NARROW_PEER=0
case " $AVAILABLE " in *" 512 "*) for w in $WIDTHS; do [ "$w" = 512 ] || NARROW_PEER=1; done ;; esac
if [ "$NARROW_PEER" = 1 ]; then
  echo "== PyTorch, 1 thread, as on a CPU without AVX-512 (--blas-width 256)"
  "$PY" tests/Benchmarks/torch_peer.py --threads 1 --blas-width 256 --out "$WORK/torch-1-256.json"
fi
echo "== PyTorch, whole machine"
"$PY" tests/Benchmarks/torch_peer.py --threads all --out "$WORK/torch-all.json"
echo "== ONNX Runtime (ModelGen's ONNX export), 1 thread"
dotnet run -c Release --no-build --project tests/Benchmarks -- --onnx-peer --threads 1 --out "$WORK/onnx-1.json"
echo "== ONNX Runtime, whole machine"
dotnet run -c Release --no-build --project tests/Benchmarks -- --onnx-peer --threads all --out "$WORK/onnx-all.json"
LOAD_END=$(load)
TICKS_END=$(cpu_ticks)

# Our own runs account for a load of about 1 (2 at the end, PyTorch on every core); clearly more means other
# work overlapped the measurement.
LOAD_TORCH1=$("$PY" -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["loadavg_start"])' "$WORK/torch-1.json")
NOTE_END="Load average at the end: $LOAD_END."
if awk -v a="$LOAD_TORCH1" -v b="$LOAD_END" 'BEGIN { exit !(a >= 1.6 || b >= 2.6) }'; then
  NOTE_END="$NOTE_END **Other work probably overlapped the run** (load average $LOAD_TORCH1 when PyTorch started, $LOAD_END at the end, against about 1 and 2 from the benchmarks alone): read the PyTorch whole-machine column with care."
fi
NOTE_STEAL=$(steal_note "$TICKS_START" "$TICKS_END")
echo "$NOTE_QUIET $NOTE_END${NOTE_STEAL:+ $NOTE_STEAL}" > "$WORK/note.txt"

mkdir -p "$DATA"
# Keep the size sweep's files (sweep.sh), the generator-cost section, the GPU section (tests/GpuBenchmarks) and the
# page's history of earlier runs (history.md, by hand); replace the rest.
find "$DATA" -maxdepth 1 -type f ! -name 'sweep*' ! -name 'generator-cost*' ! -name 'gpu*' ! -name 'history*' -delete
if [ -f "$WORK/torch-1-256.json" ]; then cp "$WORK/torch-1-256.json" "$DATA/"; fi
cp "$WORK/torch-1.json" "$WORK/torch-all.json" "$WORK/onnx-1.json" "$WORK/onnx-all.json" "$WORK/lscpu.txt" "$WORK/note.txt" "$DATA/"
grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' > "$DATA/cpu.txt" || true
for w in $WIDTHS; do
  [ -d "$WORK/bdn-$w/results" ] || continue
  cp "$WORK"/bdn-"$w"/results/*-report-full*.json "$DATA/modelgen-$w-report-full.json"
  cp "$WORK"/bdn-"$w"/results/*-report-github.md "$DATA/modelgen-$w-report.md"
  if [ -f "$WORK/threads-$w.json" ]; then cp "$WORK/threads-$w.json" "$DATA/"; fi
  if [ -f "$WORK/alloc-$w.json" ]; then cp "$WORK/alloc-$w.json" "$DATA/"; fi
  if [ -f "$WORK/paired-$w.json" ]; then cp "$WORK/paired-$w.json" "$DATA/"; fi
  if [ -f "$WORK/width-pair-$w.json" ]; then cp "$WORK/width-pair-$w.json" "$DATA/"; fi
  grep -v -E '^(Workload|Overhead|Pilot|// (Benchmark|Runtime|GC|Job|BeforeAnd|Launch|Overhead)|OverheadJitting|WorkloadJitting|WorkloadPilot|WorkloadWarmup|WorkloadActual|WorkloadResult|OverheadWarmup|OverheadActual)' \
    "$WORK/modelgen-$w.log" > "$DATA/modelgen-$w.log" || true
done
# The sweep's and the generator cost's saved sections (written by sweep.sh and by hand) survive this run.
NARROW_ARGS=()
if [ -f "$DATA/torch-1-256.json" ]; then NARROW_ARGS=(--torch1-256 "$DATA/torch-1-256.json"); fi
# The report reads only the saved raw results, so it can be redrawn later from docs/benchmarks-data alone.
dotnet run -c Release --no-build --project tests/Benchmarks -- --report --bdn "$DATA" \
  --torch1 "$DATA/torch-1.json" ${NARROW_ARGS[@]+"${NARROW_ARGS[@]}"} --torchall "$DATA/torch-all.json" --onnx1 "$DATA/onnx-1.json" --onnxall "$DATA/onnx-all.json" \
  --lscpu "$DATA/lscpu.txt" --out "$OUT" \
  --note "$(cat "$DATA/note.txt")"
echo "compare.sh: wrote $OUT/benchmarks.md, $OUT/benchmarks.png and $DATA/"
if [ "$ALL" = 1 ]; then
  echo "== Size sweep (sweep.sh)"
  tests/Benchmarks/sweep.sh
  if grep -qw avx512f /proc/cpuinfo; then
    echo "== Size sweep at 256 bits (sweep.sh --width 256), the width of machines without AVX-512"
    tests/Benchmarks/sweep.sh --width 256
  fi
  echo "== Generator cost (tests/GeneratorBenchmarks/run.sh)"
  tests/GeneratorBenchmarks/run.sh
fi
