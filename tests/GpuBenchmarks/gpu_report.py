#!/usr/bin/env python3
"""Joins the GPU benchmark's two CSVs (GpuBenchmarks bench, torch_gpu_peer.py) into the markdown table for
docs/benchmarks.md's GPU section: per row and mode, ModelGen's median, cuDNN's with cudnn.benchmark off and on,
and the ratio cuDNN-best / ModelGen (> 1: ModelGen faster). The issue's target (faster than cuDNN for batch <= 64
and hidden <= 256, training and inference) is marked per row; every row is listed, including those that miss.

    python3 tests/GpuBenchmarks/gpu_report.py --modelgen gpu-modelgen.csv --torch gpu-torch.csv --out gpu-report.md
"""
import argparse
import csv
import sys


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(us):
    if us is None:
        return "–"
    return "%.1f µs" % us if us < 1000 else "%.2f ms" % (us / 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelgen", required=True)
    ap.add_argument("--torch", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    mg = load(args.modelgen)
    th = load(args.torch)
    peer = {}
    settings = device = ""
    for r in th:
        device = device or r["device"]
        settings = settings or r["settings"]
        if r["status"] == "ok":
            peer[(r["id"], r["batch"], r["steps"], r["mode"], r["cudnn_benchmark"])] = float(r["median_us"])
    mg_device = next((r["device"] for r in mg), "?")
    lines = [
        "GPU: **%s** (PyTorch: %s). ModelGen: %s." % (device or "?", settings or "?", mg_device),
        "",
        "Median time per call, data on the device, each call bracketed by device synchronisation. cuDNN: "
        "`torch.nn.LSTM/GRU`, best of 3 round medians, `cudnn.benchmark` off / on. Ratio = best cuDNN time / ModelGen "
        "time (> 1: ModelGen faster). Target (issue 11): ratio > 1 for batch ≤ 64 and hidden ≤ 256.",
        "",
        "| row | mode | ModelGen | cuDNN (benchmark off) | cuDNN (benchmark on) | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    met = missed = 0
    for r in mg:
        key_off, key_on = (r["id"], r["batch"], r["steps"], r["mode"], "0"), (r["id"], r["batch"], r["steps"], r["mode"], "1")
        ours = float(r["median_us"]) if r["status"] == "ok" else None
        off, on = peer.get(key_off), peer.get(key_on)
        best = min([v for v in (off, on) if v is not None], default=None)
        ratio = best / ours if ours and best else None
        in_target = int(r["batch"]) <= 64 and int(r["hidden"]) <= 256
        if not in_target:
            verdict = "(outside)"
        elif ratio is None:
            verdict = "**not measured**" + ("" if ours is not None else ": " + r["status"])
            missed += 1
        elif ratio > 1:
            verdict = "met"
            met += 1
        else:
            verdict = "**missed**"
            missed += 1
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["id"], r["mode"], fmt(ours) if ours is not None else r["status"], fmt(off), fmt(on),
            "%.3g×" % ratio if ratio else "–", verdict))
    seen = {(r["id"], r["batch"], r["steps"], r["mode"]) for r in mg}
    for r in th:
        if (r["id"], r["batch"], r["steps"], r["mode"]) not in seen and r["cudnn_benchmark"] == "0":
            lines.append("| %s | %s | not run | %s | %s | – | %s |" % (
                r["id"], r["mode"], fmt(peer.get((r["id"], r["batch"], r["steps"], r["mode"], "0"))), fmt(peer.get((r["id"], r["batch"], r["steps"], r["mode"], "1"))),
                "**not measured**" if int(r["batch"]) <= 64 and int(r["hidden"]) <= 256 else "(outside)"))
            missed += int(r["batch"]) <= 64 and int(r["hidden"]) <= 256
    lines += ["", "Target rows: %d met, %d missed or not measured." % (met, missed)]
    text = "\n".join(lines) + "\n"
    with open(args.out, "w", newline="\n") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
