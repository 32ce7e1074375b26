#!/usr/bin/env bash
# compare.sh for a machine with the .NET runtime but no SDK (a GPU machine, a server): runs a published copy of the
# benchmark program in-process (MODELGEN_BENCH_INPROCESS=1; BenchmarkDotNet's short jobs, no child processes) at every
# vector width the machine has, on one thread and on N, then the PyTorch and ONNX Runtime peers, and leaves the raw
# results in OUT_DIR, laid out as docs/benchmarks-data is. The report is then drawn wherever the SDK is.
#
# Needs on the machine: a checkout of this repository (the script reads widths.sh and torch_peer.py from it), a .NET 10
# runtime (the publish is framework-dependent; --dotnet names its host), and python3 with torch and numpy (PYTHON=…
# names another). Relative APP and OUT_DIR paths are taken from where it is run.
#
#   (here)         dotnet publish tests/Benchmarks -c Release -r linux-x64 --self-contained false -o APP -p:UseAppHost=false
#   (the machine)  tests/Benchmarks/compare-published.sh APP/ModelGen.Benchmarks.dll OUT_DIR [--threads N] [--widths LIST] [--dotnet PATH] [--paired | --paired-rounds N]
#   (here)         dotnet run -c Release --project tests/Benchmarks -- --report --bdn OUT_DIR --torch1 OUT_DIR/torch-1.json \
#                      --torchall OUT_DIR/torch-all.json [--onnx1 OUT_DIR/onnx-1.json --onnxall OUT_DIR/onnx-all.json] \
#                      --lscpu OUT_DIR/lscpu.txt --out DIR --made-by "compare-published.sh …" --note "$(cat OUT_DIR/note.txt)"
#
# --threads N (default 2): the many-thread column, ModelGen with MODELGEN_NUM_THREADS=N and the peers with N threads.
# --widths 512,256: only these widths. The ONNX Runtime peer runs where the publish carries its native library.
# --paired: also ModelGen against PyTorch in alternating rounds at each width (--paired, ~2 min a width), and, with 256
# among the widths, 256 bits against each 128-bit mode (--paired --against-width, ~2 min each): the report's target
# statuses read these where they exist. --paired-rounds N: that many rounds (default 9; each round about 0.6 s for each of
# the 12 benchmarks, plus about 1.5 s of warm-up each: 3 rounds take about 40 s a width). Off by default: it adds about
# half the time, and on a quiet machine the separate runs agree.
# Time: on a 16-vCPU Xeon (model 207) the four widths took about 6 minutes and PyTorch's one-thread peer about 1;
# PyTorch's N-thread run and the ONNX peer take about 1–2 more (that run stopped at its 520 s limit during them).
set -euo pipefail
HERE=$PWD
cd "$(dirname "$0")/../.."
APP=${1:?usage: compare-published.sh APP.dll OUT_DIR [--threads N] [--widths LIST] [--dotnet PATH]}
OUT_DIR=${2:?usage: compare-published.sh APP.dll OUT_DIR [--threads N] [--widths LIST] [--dotnet PATH]}
shift 2
# Relative paths are taken from where the script was run, not from the repository root it works in.
case "$APP" in /*) ;; *) APP="$HERE/$APP" ;; esac
case "$OUT_DIR" in /*) ;; *) OUT_DIR="$HERE/$OUT_DIR" ;; esac
THREADS=2
WIDTHS=""
DOTNET=dotnet
PAIRED=0
PAIRED_ROUNDS=9
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="${2:?--threads needs a number}"; shift ;;
    --widths) WIDTHS="${2:?--widths needs a list}"; shift ;;
    --dotnet) DOTNET="${2:?--dotnet needs a path}"; shift ;;
    --paired) PAIRED=1 ;;
    --paired-rounds) PAIRED=1; PAIRED_ROUNDS="${2:?--paired-rounds needs a number}"; shift
      case "$PAIRED_ROUNDS" in ''|*[!0-9]*|0) echo "--paired-rounds needs a whole number ≥ 1, got '$PAIRED_ROUNDS'" >&2; exit 2 ;; esac ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
PY=${PYTHON:-python3}
# shellcheck source=widths.sh
. tests/Benchmarks/widths.sh
# shellcheck source=steal.sh
. tests/Benchmarks/steal.sh
if [ -z "$WIDTHS" ]; then WIDTHS="$AVAILABLE"; else WIDTHS=$(echo "$WIDTHS" | tr ',' ' '); fi
check_widths compare-published.sh "$WIDTHS"
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modelgen-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
TICKS_START=$(cpu_ticks)
echo "compare-published.sh: widths $WIDTHS, 1 and $THREADS threads, load average $LOAD_START"
lscpu > "$OUT_DIR/lscpu.txt" 2>/dev/null || true
grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' > "$OUT_DIR/cpu.txt" || true

for w in $WIDTHS; do
  for n in 1 "$THREADS"; do
    echo "== ModelGen, vector mode $w, $n thread(s)"
    # shellcheck disable=SC2046 # width_env's output is zero or one VAR=value word
    env $(width_env "$w") MODELGEN_BENCH_INPROCESS=1 MODELGEN_BENCH_SHORT=1 MODELGEN_BENCH_EXPECT_WIDTH="$w" MODELGEN_NUM_THREADS="$n" \
      "$DOTNET" "$APP" --filter '*W?_*' --join --json --artifacts "$WORK/bdn-$w-$n" > "$WORK/modelgen-$w-$n.log" 2>&1 \
      || { tail -40 "$WORK/modelgen-$w-$n.log"; exit 1; }
    grep -E '^\| *W[0-9]' "$WORK/modelgen-$w-$n.log" | sed 's/^/  /' || true
  done
  # One file per width holding both jobs (OneThread, AllThreads), as compare.sh's single run writes it.
  "$PY" - "$WORK/bdn-$w-1" "$WORK/bdn-$w-$THREADS" "$OUT_DIR/modelgen-$w-report-full.json" <<'PY'
import glob, json, sys
one, many, out = sys.argv[1:]
def load(d):
    files = glob.glob(d + "/results/*-report-full*.json")
    if len(files) != 1: sys.exit(f"expected one BenchmarkDotNet JSON report in {d}/results, found {len(files)}")
    return json.load(open(files[0], encoding="utf-8"))
a, b = load(one), load(many)
a["Benchmarks"] += b["Benchmarks"]
json.dump(a, open(out, "w", encoding="utf-8"), indent=1)
PY
  cat "$WORK"/bdn-"$w"-1/results/*-report-github.md "$WORK"/bdn-"$w"-"$THREADS"/results/*-report-github.md > "$OUT_DIR/modelgen-$w-report.md"
  # Every thread's bytes while each step runs alone in a loop (AllocationCheck.cs; ~15 s): the report's 0 B target reads it.
  echo "== ModelGen, bytes allocated per step in a loop, vector mode $w"
  # shellcheck disable=SC2046
  # At least two threads (the check's second setting), also under --threads 1. Exit 1: the check ran and a step
  # allocated; anything else non-zero: it did not run to the end (no alloc-$w.json).
  rc=0
  env $(width_env "$w") "$DOTNET" "$APP" --alloc-check --seconds 0.5 --threads "$(( THREADS < 2 ? 2 : THREADS ))" --json "$OUT_DIR/alloc-$w.json" | tail -1 || rc=$?
  if [ "$rc" = 1 ]; then echo "compare-published.sh: a step allocated at $w bits (alloc-$w.json)" >&2
  elif [ "$rc" != 0 ]; then echo "compare-published.sh: the allocation check failed at $w bits (exit $rc); the report has no --alloc-check row there" >&2
  fi
  if [ "$PAIRED" = 1 ]; then
    echo "== ModelGen against PyTorch in alternating rounds, one thread, vector mode $w"
    # shellcheck disable=SC2046
    env $(width_env "$w") MODELGEN_BENCH_EXPECT_WIDTH="$w" "$DOTNET" "$APP" --paired --rounds "$PAIRED_ROUNDS" --python "$(command -v "$PY")" --json "$OUT_DIR/paired-$w.json" \
      || echo "compare-published.sh: the paired run at $w bits failed; the report reads the separate runs there" >&2
  fi
done

if [ "$PAIRED" = 1 ]; then
  case " $WIDTHS " in *" 256 "*)
    for w in $WIDTHS; do
      case "$w" in 128|128sse) ;; *) continue ;; esac
      echo "== ModelGen at 256 bits against $w bits in alternating rounds, one thread"
      # shellcheck disable=SC2046
      env $(width_env 256) MODELGEN_BENCH_EXPECT_WIDTH=256 "$DOTNET" "$APP" --paired --against-width "$w" --rounds "$PAIRED_ROUNDS" --json "$OUT_DIR/width-pair-$w.json" \
        || echo "compare-published.sh: the paired 256-against-$w run failed; the report compares the two widths' separate runs" >&2
    done ;;
  esac
fi

echo "== PyTorch, 1 thread"
"$PY" tests/Benchmarks/torch_peer.py --threads 1 --out "$OUT_DIR/torch-1.json"
echo "== PyTorch, $THREADS threads"
"$PY" tests/Benchmarks/torch_peer.py --threads "$THREADS" --out "$OUT_DIR/torch-all.json"
echo "== ONNX Runtime, 1 and $THREADS threads"
"$DOTNET" "$APP" --onnx-peer --threads 1 --out "$OUT_DIR/onnx-1.json" && "$DOTNET" "$APP" --onnx-peer --threads "$THREADS" --out "$OUT_DIR/onnx-all.json" \
  || echo "compare-published.sh: the ONNX Runtime peer did not run here (its native library?); the report leaves it out"
echo "Run by compare-published.sh (in-process BenchmarkDotNet short jobs, MODELGEN_NUM_THREADS=1 and $THREADS; peers with 1 and $THREADS threads). Load average $LOAD_START at the start, $(cut -d' ' -f1 /proc/loadavg) at the end. $(steal_note "$TICKS_START" "$(cpu_ticks)")" > "$OUT_DIR/note.txt"
echo "compare-published.sh: raw results in $OUT_DIR"
