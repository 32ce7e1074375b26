#!/usr/bin/python3
"""PyTorch peer of the ModelGen speed benchmarks: the same six workloads, same shapes, timed in eager PyTorch.

    /usr/bin/python3 tests/Benchmarks/torch_peer.py --threads 1   --out torch-1.json
    /usr/bin/python3 tests/Benchmarks/torch_peer.py --threads all --out torch-all.json

Use Debian's python3-torch (/usr/bin/python3), not a pyenv python. Each workload is timed as a training step
(zero grads, forward, MSE or cross-entropy, backward, Adam with Keras's defaults lr 1e-3, eps 1e-7) and as
inference (forward under torch.inference_mode()), after a warm-up, as the best of five rounds (--rounds): each
round the median of its repetitions (time.perf_counter_ns), the lowest round median reported, as a user tuning a
script would (best-of-5). Also measures the practical sgemm peak: a 1024³ float32 matmul in numpy and torch.

--threads 1 pins every thread pool to one thread BEFORE torch is imported (OMP/OpenBLAS/MKL) and calls
torch.set_num_threads(1); --threads all uses every CPU this process may run on, --threads N uses N.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset, so OpenBLAS picks its own kernels for this CPU (on an AVX-512 CPU
its AVX-512 ones: SkylakeX, Cooperlake or SapphireRapids), and PyTorch keeps its own default kernels (ATen: AVX2 in
1.13 even where AVX-512 is there). --blas-width 256 instead runs PyTorch as on a CPU without AVX-512: on a CPU with
AVX-512 it sets OPENBLAS_CORETYPE=Haswell (OpenBLAS's AVX2 + FMA kernels) and ATEN_CPU_CAPABILITY=avx2; elsewhere
it changes nothing. compare.sh pairs that peer with ModelGen's 256-bit and 128-bit modes, so an AVX-512 machine's
AVX2 figures compare like with like. The JSON records the OpenBLAS core in use (openblas_get_corename) and, in the
native mode on an AVX-512 CPU, the AVX2 kernels' sgemm peak too (peak_gflops_256, measured in a child process).
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

from cpu_flags import has_avx512

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", default="1", help="'1' (default), 'all' (every CPU this process may use) or a number")
parser.add_argument("--out", help="write the JSON here (default: stdout)")
parser.add_argument("--target-seconds", type=float, default=3.0, help="measuring time per benchmark (default 3)")
parser.add_argument("--only", help="comma-separated workload ids, e.g. W1,W3")
parser.add_argument("--rounds", type=int, default=5, help="rounds per benchmark; the best round median is reported (default 5)")
parser.add_argument("--serve", action="store_true",
                    help="serve rounds on request for ModelGen's --paired mode: print 'ready', then for each line 'W3 training 0.3' "
                         "on stdin time that step for about that many seconds and print the median ns per call; 'quit' ends")
parser.add_argument("--blas-width", choices=("native", "256"), default="native",
                    help="'native' (default): OpenBLAS's own kernels for this CPU; '256': on a CPU with AVX-512, its AVX2 + FMA "
                         "kernels (OPENBLAS_CORETYPE=Haswell) and ATen's AVX2 ones, as on a CPU without AVX-512")
parser.add_argument("--sgemm-only", action="store_true", help=argparse.SUPPRESS)  # the child that measures the AVX2 peak
args = parser.parse_args()


AVX512 = has_avx512()
# Thread pools and kernel choices are read when the libraries load: set them before importing numpy or torch.
# The host may set OPENBLAS_CORETYPE (this project's sandbox sets Haswell): unset, so the peer is what a user gets.
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "ATEN_CPU_CAPABILITY")
for name in KERNEL_VARS:
    os.environ.pop(name, None)
if args.blas_width == "256" and AVX512:
    os.environ["OPENBLAS_CORETYPE"] = "Haswell"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"
# "The whole machine" is the CPUs this process may run on (taskset, a container's cpuset), as .NET's
# Environment.ProcessorCount counts them, not every CPU of the host.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
if args.threads != "all" and not (args.threads.isdigit() and int(args.threads) >= 1):
    parser.error("--threads must be 1, all or a number of threads")
THREADS = CORES if args.threads == "all" else int(args.threads)
for name in THREAD_VARS:
    os.environ[name] = str(THREADS)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(THREADS)
torch.manual_seed(1234)


class Recurrent(nn.Module):
    """[Embedding] → recurrent stack (batch_first) → last step → Linear [→ sigmoid]."""

    def __init__(self, cell, inputs, units, layers=1, embedding=None, out=1, sigmoid=False):
        super().__init__()
        self.embedding = nn.Embedding(*embedding) if embedding else None
        self.rnn = cell(inputs, units, num_layers=layers, batch_first=True)
        self.head = nn.Linear(units, out)
        self.sigmoid = sigmoid

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        h, _ = self.rnn(x)
        y = self.head(h[:, -1])
        return torch.sigmoid(y) if self.sigmoid else y


# id: (description, model factory, batch, steps, features or vocabulary, loss). Stacked Keras layers
# (return_sequences=True then a second layer) are nn.LSTM/nn.GRU with num_layers=2: the same computation.
WORKLOADS = {
    "W1": ("SimpleRNN(10) + Dense(1)", lambda: Recurrent(nn.RNN, 1, 10), 6, 4, 1, "mse"),
    "W2": ("LSTM(30, seq) + LSTM(30) + Dense(1)", lambda: Recurrent(nn.LSTM, 2, 30, layers=2), 32, 100, 2, "mse"),
    "W3": ("Embedding(2000,128) + LSTM(196) + Dense(2, softmax)",
           lambda: Recurrent(nn.LSTM, 128, 196, embedding=(2000, 128), out=2), 64, 28, ("tokens", 2000), "ce"),
    "W4": ("Embedding(500,16) + SimpleRNN(8) + Dense(1, sigmoid)",
           lambda: Recurrent(nn.RNN, 16, 8, embedding=(500, 16), sigmoid=True), 64, 100, ("tokens", 500), "mse"),
    "W5": ("LSTM(32) + Dense(1)", lambda: Recurrent(nn.LSTM, 1, 32), 1, 10, 1, "mse"),
    "W6": ("GRU(30, seq) + GRU(30) + Dense(1)", lambda: Recurrent(nn.GRU, 2, 30, layers=2), 32, 100, 2, "mse"),
}


def warm_up(fn):
    """Calls fn at least 10 times and for at least 0.5 s; returns (calls, mean ns per call)."""
    start = time.perf_counter_ns()
    calls = 0
    while calls < 10 or time.perf_counter_ns() - start < 0.5e9:
        fn()
        calls += 1
    return calls, (time.perf_counter_ns() - start) / calls


def time_ns(fn, target_seconds, min_reps=30, max_reps=5000, rounds=None):
    """Warm up (≥ 10 calls and ≥ 0.5 s), then repetitions filling target_seconds in `rounds` rounds (default
    --rounds); median_ns is the best (lowest) round median (best-of-5), q1/q3 are that round's quartiles."""
    rounds = rounds or args.rounds
    warm, estimate = warm_up(fn)
    reps = int(min(max_reps, max(min_reps, target_seconds * 1e9 / estimate)))
    per_round = max(3, reps // rounds)
    best = None
    round_medians = []
    every = []
    for _ in range(rounds):
        samples = []
        for _ in range(per_round):
            t0 = time.perf_counter_ns()
            fn()
            samples.append(time.perf_counter_ns() - t0)
        samples.sort()
        every.extend(samples)
        median = statistics.median(samples)
        round_medians.append(median)
        if best is None or median < best[0]:
            q = statistics.quantiles(samples, n=4)
            best = (median, q[0], q[2])
    return {"median_ns": best[0], "q1_ns": best[1], "q3_ns": best[2], "min_ns": min(every),
            "mean_ns": statistics.fmean(every), "round_medians_ns": round_medians, "rounds": rounds,
            "reps": rounds * per_round, "warmup_reps": warm}


def build_workload(wid):
    """The workload's model, data and optimizer, seeded; returns (training_step, inference) closures."""
    _, factory, batch, steps, features, loss_kind = WORKLOADS[wid]
    g = torch.Generator().manual_seed(1234)
    model = factory()
    if isinstance(features, tuple):
        x = torch.randint(0, features[1], (batch, steps), generator=g)
    else:
        x = torch.rand(batch, steps, features, generator=g) * 2 - 1
    if loss_kind == "ce":
        t = torch.randint(0, 2, (batch,), generator=g)
    else:
        t = torch.rand(batch, 1, generator=g)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

    def training_step():
        optimizer.zero_grad(set_to_none=True)
        y = model(x)
        loss = F.cross_entropy(y, t) if loss_kind == "ce" else F.mse_loss(y, t)
        loss.backward()
        optimizer.step()

    def inference():
        with torch.inference_mode():
            model(x)

    return model, training_step, inference


def run_workload(wid, target_seconds):
    _, _, batch, steps, _, _ = WORKLOADS[wid]
    model, training_step, inference = build_workload(wid)
    model.train()
    training = time_ns(training_step, target_seconds)
    model.eval()
    infer = time_ns(inference, target_seconds)
    return {"description": WORKLOADS[wid][0], "batch": batch, "steps": steps, "training": training, "inference": infer}


def serve():
    """--serve: rounds on request, for ModelGen's --paired mode, which alternates them with its own rounds so that a
    busy host weighs on both sides alike. Each (workload, kind) is warmed up (≥ 10 calls and ≥ 0.5 s) on its first
    request; a request 'W3 training 0.3' then times calls one by one for about 0.3 s and answers the median ns."""
    built = {}
    warmed = set()
    print("ready " + json.dumps({"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
                                 "cpu_count": CORES, "environment": {k: os.environ.get(k) for k in THREAD_VARS},
                                 "blas_width": args.blas_width, "blas_core": blas_core()}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            wid, kind, seconds = words[0], words[1], float(words[2])
            if wid not in WORKLOADS or kind not in ("training", "inference") or not seconds > 0 or len(words) != 3:
                raise ValueError
        except (IndexError, ValueError):
            print(f"error: expected 'W1…W6 training|inference SECONDS>0', got {line.strip()!r}", flush=True)
            continue
        if wid not in built:
            built[wid] = build_workload(wid)
        model, training_step, inference = built[wid]
        fn = training_step if kind == "training" else inference
        (model.train if kind == "training" else model.eval)()
        if (wid, kind) not in warmed:
            warm_up(fn)
            warmed.add((wid, kind))
        fn()  # after the other side's round: one call at this setting first, as ModelGen's rounds do
        samples = []
        end = time.perf_counter_ns() + seconds * 1e9
        while len(samples) < 3 or time.perf_counter_ns() < end:
            t0 = time.perf_counter_ns()
            fn()
            samples.append(time.perf_counter_ns() - t0)
        print(statistics.median(samples), flush=True)


def sgemm_peak(target_seconds=1.0):
    """GFLOP/s of a 1024³ float32 matmul in numpy (its BLAS) and torch, with this mode's threads."""
    n = 1024
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    flops = 2.0 * n ** 3
    out = {}
    for name, fn in (("numpy", lambda: a @ b), ("torch", lambda: ta @ tb)):
        r = time_ns(fn, target_seconds, min_reps=10, max_reps=200, rounds=3)
        out[name + "_gflops"] = flops / r["median_ns"]
    out["peak_gflops"] = max(out["numpy_gflops"], out["torch_gflops"])
    return out


def sgemm_peak_256():
    """The sgemm peak of OpenBLAS's AVX2 kernels, with this mode's threads, where this process runs wider ones (a child
    process with --blas-width 256 measures it: the kernels are chosen when the library loads); None elsewhere."""
    import subprocess
    if not AVX512 or args.blas_width == "256":
        return None
    child = subprocess.run([sys.executable, os.path.abspath(__file__), "--sgemm-only", "--blas-width", "256", "--threads", args.threads],
                           capture_output=True, text=True, check=True)
    return json.loads(child.stdout)


def blas_core():
    """The kernels OpenBLAS chose (openblas_get_corename), or None where the BLAS is not OpenBLAS."""
    import ctypes
    for path in blas_libraries():
        if "openblas" in os.path.basename(path).lower():
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                return None
    return None


def blas_libraries():
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() or "mkl" in line.lower()}
        return sorted(os.path.realpath(p) for p in libs if p.startswith("/"))
    except OSError:
        return []


def main():
    ids = args.only.split(",") if args.only else list(WORKLOADS)
    result = {
        "threads_mode": args.threads,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": CORES,
        "python": sys.executable + " " + platform.python_version(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "rounds": args.rounds,
        "environment": {k: os.environ.get(k) for k in THREAD_VARS + KERNEL_VARS},
        "loadavg_start": os.getloadavg()[0],
        "blas_width": args.blas_width,
        "blas_core": blas_core(),
        "aten_cpu_capability": torch.__config__.show().split("CPU capability usage:")[-1].split("\n")[0].strip(),
        "sgemm": sgemm_peak(),
        "blas_libraries": blas_libraries(),
        "workloads": {},
    }
    narrow = sgemm_peak_256()
    if narrow is not None:
        result["sgemm"]["peak_gflops_256"] = narrow["peak_gflops"]
        result["sgemm"]["blas_core_256"] = narrow["blas_core"]
    for wid in ids:
        r = run_workload(wid, args.target_seconds)
        result["workloads"][wid] = r
        print(f"{wid} {args.threads:>3} thread(s): training {r['training']['median_ns'] / 1e3:10.1f} µs"
              f"   inference {r['inference']['median_ns'] / 1e3:10.1f} µs", file=sys.stderr)
    result["loadavg_end"] = os.getloadavg()[0]
    result["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    if args.sgemm_only:
        print(json.dumps(dict(sgemm_peak(), blas_core=blas_core())))
    elif args.serve:
        serve()
    else:
        main()
