#!/usr/bin/env python3
"""PyTorch (cuDNN) peer of the GPU benchmark (GpuBenchmarks bench): the same shapes on the same GPU, written as CSV.

Rows: W2, W3, W5, W6 (docs/benchmarks.md; the models of tests/Benchmarks/torch_peer.py) and the sweep over batch
(1, 8, 32, 64, 256) x hidden (32, 64, 128, 256, 512) for nn.LSTM and nn.GRU (16 features, --steps steps, a Linear(1)
head on the last step, as tests/Benchmarks/SweepModels.cs). Each as a training step (zero_grad, forward, loss,
backward, Adam step: lr 1e-3, eps 1e-7, as Keras) and as inference (forward under inference_mode), with the data
on the device. Every timed call is bracketed by torch.cuda.synchronize(); after a warm-up, --rounds rounds of
median-of-calls, best round reported; each row twice: torch.backends.cudnn.benchmark off, then on.
TF32 stays at PyTorch's defaults (printed in the CSV's "settings" column); fp32 throughout.

    python3 tests/GpuBenchmarks/torch_gpu_peer.py --out gpu-torch.csv [--steps 50] [--cap 150]
    python3 tests/GpuBenchmarks/torch_gpu_peer.py --device cpu --quick --out /tmp/peer.csv   # logic check without a GPU
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

BATCHES = (1, 8, 32, 64, 256)
HIDDENS = (32, 64, 128, 256, 512)
FEATURES = 16


class Recurrent(nn.Module):
    """[Embedding] -> recurrent stack (batch_first) -> last step -> Linear."""

    def __init__(self, cell, inputs, units, layers=1, embedding=None, out=1):
        super().__init__()
        self.embedding = nn.Embedding(*embedding) if embedding else None
        self.rnn = cell(inputs, units, num_layers=layers, batch_first=True)
        self.head = nn.Linear(units, out)

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)
        h, _ = self.rnn(x)
        return self.head(h[:, -1])


def plan(steps, quick):
    """(id, cell, hidden, batch, steps, factory, input kind, loss)."""
    if quick:  # the .NET program's --dry-run plan (Bench.cs), so the dry-run report can join them
        return [
            ("W5", "LSTM", 32, 1, 10, lambda: Recurrent(nn.LSTM, 1, 32), 1, "mse"),
            ("W3", "LSTM", 196, 1, 28, lambda: Recurrent(nn.LSTM, 128, 196, embedding=(2000, 128), out=2), ("tokens", 2000), "ce"),
            ("LSTM/h32/b1/t3", "LSTM", 32, 1, 3, lambda: Recurrent(nn.LSTM, FEATURES, 32), FEATURES, "mse"),
            ("GRU/h32/b2/t3", "GRU", 32, 2, 3, lambda: Recurrent(nn.GRU, FEATURES, 32), FEATURES, "mse"),
        ]
    rows = [
        ("W2", "LSTM", 30, 32, 100, lambda: Recurrent(nn.LSTM, 2, 30, layers=2), 2, "mse"),
        ("W3", "LSTM", 196, 64, 28, lambda: Recurrent(nn.LSTM, 128, 196, embedding=(2000, 128), out=2), ("tokens", 2000), "ce"),
        ("W5", "LSTM", 32, 1, 10, lambda: Recurrent(nn.LSTM, 1, 32), 1, "mse"),
        ("W6", "GRU", 30, 32, 100, lambda: Recurrent(nn.GRU, 2, 30, layers=2), 2, "mse"),
    ]
    for h in HIDDENS:
        for b in BATCHES:
            for name, cell in (("LSTM", nn.LSTM), ("GRU", nn.GRU)):
                rows.append(("%s/h%d/b%d/t%d" % (name, h, b, steps), name, h, b, steps,
                             (lambda cell=cell, h=h: Recurrent(cell, FEATURES, h)), FEATURES, "mse"))
    return rows


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_us(fn, device, rounds, quick):
    """Warm-up (>= 5 calls and >= 0.1 s), then `rounds` rounds of individually synchronised calls (~0.1 s each,
    5..40 calls); the best round median in microseconds, and the calls timed."""
    start = time.perf_counter()
    warm = 0
    while warm < (1 if quick else 5) or (not quick and time.perf_counter() - start < 0.1):
        fn()
        warm += 1
    sync(device)
    best, reps = None, 0
    for _ in range(rounds):
        samples = []
        t_round = time.perf_counter()
        while len(samples) < (3 if quick else 5) or (not quick and len(samples) < 40 and time.perf_counter() - t_round < 0.1):
            t0 = time.perf_counter()
            fn()
            sync(device)
            samples.append((time.perf_counter() - t0) * 1e6)
        reps += len(samples)
        m = statistics.median(samples)
        best = m if best is None else min(best, m)
    return best, reps


def measure(row, device, rounds, quick):
    wid, _, _, batch, steps, factory, features, loss_kind = row
    torch.manual_seed(1234)
    model = factory().to(device)
    if isinstance(features, tuple):
        x = torch.randint(0, features[1], (batch, steps), device=device)
    else:
        x = torch.rand(batch, steps, features, device=device) * 2 - 1
    t = torch.randint(0, 2, (batch,), device=device) if loss_kind == "ce" else torch.rand(batch, 1, device=device)
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

    model.train()
    train = time_us(training_step, device, rounds, quick)
    model.eval()
    infer = time_us(inference, device, rounds, quick)
    return train, infer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cap", type=float, default=150, help="seconds; rows not started by then are written as skipped")
    ap.add_argument("--quick", action="store_true", help="the .NET --dry-run plan and few calls (a logic check)")
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_gpu_peer: CUDA not available", file=sys.stderr)
        return 1
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    settings = "torch %s; cuDNN %s; tf32 matmul %s; tf32 cudnn %s" % (
        torch.__version__, torch.backends.cudnn.version(), torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    print("%s on %s" % (settings, name))
    start = time.perf_counter()
    rows = plan(args.steps, args.quick)
    with open(args.out, "w", newline="\n") as f:
        f.write("id,cell,hidden,batch,steps,mode,cudnn_benchmark,median_us,reps,status,device,settings\n")
        for row in rows:
            head = "%s,%s,%d,%d,%d" % row[:5]
            for bench in (False, True):  # both settings back to back, so a time cap cuts whole rows
                torch.backends.cudnn.benchmark = bench
                if time.perf_counter() - start > args.cap:
                    for mode in ("train", "infer"):
                        f.write("%s,%s,%d,,0,skipped: time cap %g s,%s,%s\n" % (head, mode, bench, args.cap, name, settings))
                    continue
                try:
                    (tr, trn), (inf, infn) = measure(row, device, args.rounds, args.quick)
                    results = (("train", tr, trn, "ok"), ("infer", inf, infn, "ok"))
                except RuntimeError as e:  # e.g. out of memory: the row says so
                    msg = "failed: " + str(e).splitlines()[0].replace(",", ";")
                    results = (("train", None, 0, msg), ("infer", None, 0, msg))
                for mode, us, n, status in results:
                    f.write("%s,%s,%d,%s,%d,%s,%s,%s\n" % (head, mode, bench, "" if us is None else "%.2f" % us, n, status, name, settings))
                    print("%-22s %-5s benchmark=%d %12s  %s" % (row[0], mode, bench, "-" if us is None else "%.1f us" % us, status))
                f.flush()
    print("torch_gpu_peer: %d rows x 2 settings in %.0f s -> %s" % (len(rows), time.perf_counter() - start, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
