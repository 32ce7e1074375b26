#!/usr/bin/env bash
# The size sweep: LSTM and GRU, ModelGen against PyTorch on this machine, one thread each, over hidden size
# (8 … 1,024), steps (1 … 10,000) and batch (1 … 1,024), one axis at a time around a centre point (hidden 128,
# 50 steps, batch 16, 16 features), training step and inference. Writes docs/benchmarks-data/sweep.csv,
# docs/benchmarks-sweep.png and the "Size sweep" section of docs/benchmarks.md (kept in
# docs/benchmarks-data/sweep.md, so compare.sh keeps it). About 12 minutes on 2 cores (36 points).
#
#   tests/Benchmarks/sweep.sh                      every point, at the widest vector width this machine has
#   tests/Benchmarks/sweep.sh --width 256          ModelGen at 256-bit (DOTNET_EnableAVX512=0), 128 (with FMA, as ARM64:
#                                                  DOTNET_PreferredVectorBitWidth=128) or 128sse (DOTNET_EnableAVX=0),
#                                                  against PyTorch's AVX2 kernels (torch_sweep.py --blas-width 256, as
#                                                  compare.sh pairs them); its own files and section (sweep-256.csv,
#                                                  benchmarks-sweep-256.png, "Size sweep at 256-bit"), beside the widest's
#   tests/Benchmarks/sweep.sh --max-gflop 20       skip points whose training step needs more (default 80 GFLOP)
#   tests/Benchmarks/sweep.sh --seconds 0.5        measuring time per point and kind and side (default 1)
#   tests/Benchmarks/sweep.sh --only 'LSTM/128/50/16'   only these points (cell/hidden/steps/batch, comma-separated): a dry run
#
# Needs the .NET 10 SDK and Debian's python3-torch (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."

WIDTH=""
MAX_GFLOP=80
SECONDS_PER=1
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --width) WIDTH="${2:?}"; shift ;;
    --max-gflop) MAX_GFLOP="${2:?}"; shift ;;
    --seconds) SECONDS_PER="${2:?}"; shift ;;
    --only) ONLY="${2:?}"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
KNOB=""
SUFFIX=""          # a narrower width's files and section carry its name: sweep-256.csv, benchmarks-sweep-256.png
TORCH_WIDTH=native # PyTorch's kernels: its own for the widest width, its AVX2 ones below 512 bits
[ -n "$WIDTH" ] && [ "$WIDTH" != 512 ] && { SUFFIX="-$WIDTH"; TORCH_WIDTH=256; }
case "$WIDTH" in
  "") ;;
  512) ;;
  256) KNOB="DOTNET_EnableAVX512F=0 DOTNET_EnableAVX512=0" ;;
  # 128: 128-bit vectors with FMA, as ARM64 NEON runs them; 128sse: x64 without AVX (no FMA, 16 registers).
  128) [ "$(uname -m)" = x86_64 ] && KNOB="DOTNET_PreferredVectorBitWidth=128" ;;
  128sse) KNOB="DOTNET_EnableAVX=0" ;;
  *) echo "sweep.sh: --width is 512, 256, 128 or 128sse" >&2; exit 2 ;;
esac

PY=/usr/bin/python3
DOCS=docs
WORK=$(mktemp -d "${TMPDIR:-/tmp}/modelgen-sweep.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PY" -c 'import torch' 2>/dev/null || { echo "sweep.sh: $PY cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

for attempt in 1 2 3; do
  if dotnet build -c Release tests/Benchmarks -v q -nologo; then break; fi
  [ "$attempt" = 3 ] && { echo "sweep.sh: build failed" >&2; exit 1; }
  sleep 20
done
BENCH=(dotnet tests/Benchmarks/bin/Release/net10.0/ModelGen.Benchmarks.dll)
# shellcheck disable=SC2086 # KNOB is zero or more VAR=value words
SEEN=$(env $KNOB "${BENCH[@]}" --vector-width)
if [ -n "$WIDTH" ] && [ "$SEEN" != "$WIDTH" ]; then echo "sweep.sh: .NET runs in vector mode $SEEN with '$KNOB', not $WIDTH" >&2; exit 1; fi
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
# shellcheck source=steal.sh
. tests/Benchmarks/steal.sh
TICKS_START=$(cpu_ticks)
echo "sweep.sh: ModelGen in vector mode $SEEN; load average $LOAD_START at start"

"${BENCH[@]}" --sweep --plan "$WORK/plan.csv" --max-gflop "$MAX_GFLOP"
if [ -n "$ONLY" ]; then
  # Keep the header and the listed points only (a dry run of the tooling); the section then lists just those.
  "$PY" - "$WORK/plan.csv" "$ONLY" <<'PYEOF'
import csv, sys
path, only = sys.argv[1], set(sys.argv[2].split(","))
rows = list(csv.DictReader(open(path, encoding="utf-8")))
keep = [r for r in rows if f"{r['cell']}/{r['hidden']}/{r['steps']}/{r['batch']}" in only]
if not keep:
    sys.exit(f"sweep.sh: --only matched no point of the plan")
with open(path, "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for r in keep:
        f.write(",".join([r["cell"], r["axes"], r["hidden"], r["steps"], r["batch"], r["features"], r["train_gflop"], '"' + r["skip"] + '"']) + "\n")
PYEOF
fi
echo "== ModelGen, 1 thread"
# shellcheck disable=SC2086
env $KNOB MODELGEN_NUM_THREADS=1 MODELGEN_BENCH_EXPECT_WIDTH="$SEEN" "${BENCH[@]}" --sweep --measure "$WORK/plan.csv" --out "$WORK/modelgen.csv" --seconds "$SECONDS_PER"
echo "== PyTorch, 1 thread"
"$PY" tests/Benchmarks/torch_sweep.py --plan "$WORK/plan.csv" --out "$WORK/torch.csv" --seconds "$SECONDS_PER" --blas-width "$TORCH_WIDTH"
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
NOTE_STEAL=$(steal_note "$TICKS_START" "$(cpu_ticks)")
mkdir -p "$DOCS/benchmarks-data"
cp "$WORK/plan.csv" "$DOCS/benchmarks-data/sweep$SUFFIX-plan.csv"
cp "$WORK/modelgen.csv" "$DOCS/benchmarks-data/sweep$SUFFIX-modelgen.csv"
cp "$WORK/torch.csv" "$DOCS/benchmarks-data/sweep$SUFFIX-torch.csv"
TORCH_NOTE=""
[ "$TORCH_WIDTH" = 256 ] && grep -qw avx512f /proc/cpuinfo && TORCH_NOTE="PyTorch with its AVX2 kernels, as on a CPU without AVX-512 (OPENBLAS_CORETYPE=Haswell, ATEN_CPU_CAPABILITY=avx2: \`torch_sweep.py --blas-width 256\`), as the 256-bit workload figures above. "
"${BENCH[@]}" --sweep --report --plan "$DOCS/benchmarks-data/sweep$SUFFIX-plan.csv" --modelgen "$DOCS/benchmarks-data/sweep$SUFFIX-modelgen.csv" \
  --torch "$DOCS/benchmarks-data/sweep$SUFFIX-torch.csv" --docs "$DOCS" --suffix "$SUFFIX" \
  --note "${TORCH_NOTE}1-minute load average $LOAD_START at the start and $LOAD_END at the end (one core busy from the sweep itself is about 1; clearly more means other work shared the machine).${NOTE_STEAL:+ $NOTE_STEAL} $( [ -n "$ONLY" ] && echo "Partial run: only $ONLY." )"
