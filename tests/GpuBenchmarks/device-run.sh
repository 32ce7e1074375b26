#!/usr/bin/env bash
# The GPU machine's one command (it has CUDA and PyTorch, no .NET). From the repository root, after
#   ../shared/tools/device-dotnet.sh tests/GpuBenchmarks/GpuBenchmarks.csproj      (here: writes .device/)
# call the device tool with carry [".device"], timeout_s 600 and the command
#   bash tests/GpuBenchmarks/device-run.sh
# Parts, each under its own time cap (about 8.5 minutes in all, worst case): smoke (60 s), PyTorch-on-CUDA parity
# fixtures (45 s), parity (75 s), ModelGen bench (220 s; stops starting rows at 170 s), cuDNN peer (120 s; stops at
# 95 s), report. Everything goes to $OUT as 8 flat files: summary.txt, smoke.log, parity.log, bench.log, peer.log,
# gpu-modelgen.csv, gpu-torch.csv, gpu-report.md. A part that fails or times out does not stop the later parts.
# Without a GPU (a logic check here): GPUBENCH_DRY_RUN=1 GPUBENCH_DOTNET=dotnet GPUBENCH_APP=path/to/GpuBenchmarks.dll
# runs the same parts on ILGPU's CPU accelerator and PyTorch's CPU with tiny shapes.
set -u -o pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-/tmp/gpubench-out}
mkdir -p "$out"
summary="$out/summary.txt"
here=tests/GpuBenchmarks
t0=$(date +%s)
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }

note "== gpubench device run, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,utilization.gpu --format=csv 2>&1 | tee -a "$summary"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1 | tee -a "$summary"

dry=${GPUBENCH_DRY_RUN:-}
dn=${GPUBENCH_DOTNET:-/tmp/dn/dotnet}
app=${GPUBENCH_APP:-.device/app/GpuBenchmarks.dll}
if [[ -z ${GPUBENCH_DOTNET:-} ]]; then
  if [[ ! -s .device/dotnet-rt.tar.xz || ! -f $app ]]; then
    note "FAIL .device/ is missing: run ../shared/tools/device-dotnet.sh $here/GpuBenchmarks.csproj and carry [\".device\"]"
    exit 2
  fi
  mkdir -p /tmp/dn && tar -xJf .device/dotnet-rt.tar.xz -C /tmp/dn
fi
fixtures=$(dirname "$app")/Fixtures
dotnet_dry=(); torch_dry=()
[[ -n $dry ]] && { dotnet_dry=(--dry-run); torch_dry=(--device cpu); }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PYTHONUNBUFFERED=1
note "runtime unpacked after $(( $(date +%s) - t0 )) s"

part() {  # part NAME LOG CAP COMMAND...: runs, appends to LOG, records rc and seconds
  local name=$1 log=$2 cap=$3; shift 3
  local s=$(date +%s)
  echo "== $name (cap ${cap} s)" >> "$out/$log"
  timeout --kill-after=5 "$cap" "$@" >> "$out/$log" 2>&1
  local rc=$?
  note "$name: rc $rc$([[ $rc == 124 || $rc == 137 ]] && echo ' (TIMED OUT)') in $(( $(date +%s) - s )) s → $log"
}

part smoke smoke.log 60 "$dn" "$app" smoke ${dry:+--cpu}
grep -E '^(PASS|FAIL|SKIP|INFO)|CUDA driver|shared memory:|chosen' "$out/smoke.log" | tee -a "$summary"
part "torch parity fixtures" parity.log 45 python3 "$here/torch_gpu_parity.py" --out "$fixtures" "${torch_dry[@]}"
part parity parity.log 75 "$dn" "$app" parity "${dotnet_dry[@]}"
grep -E '^(FAIL)|^parity:' "$out/parity.log" | tee -a "$summary"
part bench bench.log 220 "$dn" "$app" bench --out "$out/gpu-modelgen.csv" --cap 170 --steps 50 "${dotnet_dry[@]}"
part "torch peer" peer.log 120 python3 "$here/torch_gpu_peer.py" --out "$out/gpu-torch.csv" --cap 95 --steps 50 "${torch_dry[@]}" ${dry:+--quick}
if [[ -s "$out/gpu-modelgen.csv" && -s "$out/gpu-torch.csv" ]]; then
  python3 "$here/gpu_report.py" --modelgen "$out/gpu-modelgen.csv" --torch "$out/gpu-torch.csv" --out "$out/gpu-report.md" > /dev/null 2>> "$summary"
  note "report: $(tail -1 "$out/gpu-report.md")"
else
  note "report: skipped (a CSV is missing)"
fi
note "== done in $(( $(date +%s) - t0 )) s"
