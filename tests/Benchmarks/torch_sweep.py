#!/usr/bin/python3
"""PyTorch side of the size sweep (sweep.sh): the plan's LSTM / GRU points, one thread, timed like Sweep.cs.

    /usr/bin/python3 tests/Benchmarks/torch_sweep.py --plan plan.csv --out torch-sweep.csv [--seconds 1] [--blas-width 256]

Each point: nn.LSTM / nn.GRU (batch_first, 16 features) + nn.Linear(hidden, 1) on the last step; a training step is
zero_grad, forward, MSE, backward, Adam (lr 1e-3, eps 1e-7); inference is forward under torch.inference_mode().
After a warm-up, repetitions fill --seconds (at least 3, at most 2,000) in up to five rounds, and the time is the
best (lowest) round median: the same rule as Sweep.BestOfRounds. Points the plan skips are skipped.

--blas-width 256 runs PyTorch as on a CPU without AVX-512, as torch_peer.py does: on a CPU with AVX-512 it sets
OPENBLAS_CORETYPE=Haswell (OpenBLAS's AVX2 + FMA kernels) and ATEN_CPU_CAPABILITY=avx2; elsewhere it changes nothing.
sweep.sh uses it for ModelGen's 256- and 128-bit sweeps. The kernels in use are printed to stderr.
"""
import argparse
import csv
import os
import sys
import time

from cpu_flags import has_avx512

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--plan", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--seconds", type=float, default=1.0)
parser.add_argument("--blas-width", choices=("native", "256"), default="native",
                    help="'native' (default): PyTorch's own kernels for this CPU; '256': on a CPU with AVX-512, its AVX2 + FMA ones")
args = parser.parse_args()

for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"
for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "ATEN_CPU_CAPABILITY"):
    os.environ.pop(name, None)
# Set before torch loads: OpenBLAS and ATen pick their kernels when the library loads.
if args.blas_width == "256" and has_avx512():
    os.environ["OPENBLAS_CORETYPE"] = "Haswell"
    os.environ["ATEN_CPU_CAPABILITY"] = "avx2"

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
print("sweep: PyTorch " + torch.__version__ + ", ATen CPU capability "
      + torch.__config__.show().split("CPU capability usage:")[-1].split("\n")[0].strip()
      + ", OPENBLAS_CORETYPE " + os.environ.get("OPENBLAS_CORETYPE", "(unset)"), file=sys.stderr)


def best_of_rounds(fn, seconds):
    t0 = time.perf_counter_ns()
    fn()
    estimate = max((time.perf_counter_ns() - t0) / 1e9, 1e-7)
    reps = int(min(2000, max(3, seconds / estimate)))
    rounds = min(5, reps)
    per_round = reps // rounds
    best = float("inf")
    for _ in range(rounds):
        samples = []
        for _ in range(per_round):
            t = time.perf_counter_ns()
            fn()
            samples.append(time.perf_counter_ns() - t)
        samples.sort()
        mid = per_round // 2
        median = samples[mid] if per_round % 2 else (samples[mid - 1] + samples[mid]) / 2
        best = min(best, median)
    return best, rounds * per_round


class Net(nn.Module):
    def __init__(self, cell, features, hidden):
        super().__init__()
        self.rnn = (nn.LSTM if cell == "LSTM" else nn.GRU)(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.head(h[:, -1])


def main():
    rows = list(csv.DictReader(open(args.plan, encoding="utf-8")))
    started = time.time()
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        out.write("cell,hidden,steps,batch,train_ns,infer_ns,train_reps,infer_reps\n")
        for row in rows:
            if row["skip"]:
                continue
            cell, hidden, steps, batch, features = row["cell"], int(row["hidden"]), int(row["steps"]), int(row["batch"]), int(row["features"])
            torch.manual_seed(7)
            g = torch.Generator().manual_seed(1234)
            model = Net(cell, features, hidden)
            x = torch.rand(batch, steps, features, generator=g) * 2 - 1
            t = torch.rand(batch, 1, generator=g)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

            def training_step():
                optimizer.zero_grad(set_to_none=True)
                F.mse_loss(model(x), t).backward()
                optimizer.step()

            def inference():
                with torch.inference_mode():
                    model(x)

            # Warm-up: a few calls, at most ~0.5 s beyond the first.
            for fn in (training_step, inference):
                w0 = time.perf_counter()
                for _ in range(10):
                    fn()
                    if time.perf_counter() - w0 > 0.5:
                        break
            train, train_reps = best_of_rounds(training_step, args.seconds)
            infer, infer_reps = best_of_rounds(inference, args.seconds)
            out.write(f"{cell},{hidden},{steps},{batch},{train:.0f},{infer:.0f},{train_reps},{infer_reps}\n")
            out.flush()
            print(f"{cell:<4} H={hidden:<5} T={steps:<6} B={batch:<5} training {train / 1e6:10.3f} ms   inference {infer / 1e6:10.3f} ms", file=sys.stderr)
    print(f"sweep: PyTorch side took {time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
