#!/usr/bin/env python3
"""PyTorch-on-CUDA references for the GPU parity mode (GpuBenchmarks parity).

For each committed PyTorch fixture the parity mode reads (tests/ModelGen.Tests/Fixtures, float64 references made by
tests/fixtures/make_torch_fixtures.py), rerun the same module with the same weights, input and loss weights in
float32 on the GPU (cuDNN; TF32 off) and write the results in the same JSON format as
OUT/torchgpu_<name>.json, with "torch_device" naming the device. The .NET side compares its device results with them.

    python3 tests/GpuBenchmarks/torch_gpu_parity.py --out .device/app/Fixtures            # on the GPU machine
    python3 tests/GpuBenchmarks/torch_gpu_parity.py --out /tmp/fx --device cpu            # syntax/logic check here
"""
import argparse
import json
import os
import sys
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import make_torch_fixtures as mtf  # noqa: E402  (run_model, fmt_value, GATES: one definition of the reference)

FIXTURES = os.path.join(ROOT, "tests", "ModelGen.Tests", "Fixtures")
NAMES = [
    "lstm_i3_h5_t7_b4", "lstm_i2_h9_t5_b3_l2", "lstm_i3_h17_t8_b5_head3", "gru_i3_h5_t7_b4", "gru_i4_h10_t6_b3_head2",
    "rnn_tanh_i3_h5_t7_b4", "rnn_relu_i3_h8_t6_b2_head1", "lstm_i3_h5_t6_b3_bi", "gru_i4_h7_t5_b2_bi",
    "lstm_i3_h7_t6_b3_head2_bi",
]


def tensor(values, shape, device):
    return torch.tensor(values, dtype=torch.float32, device=device).view(*shape)


def rerun(doc, device):
    kind, i, h, layers = doc["kind"], doc["input_size"], doc["hidden_size"], doc["num_layers"]
    b, t, head_units = doc["batch"], doc["steps"], doc["head_units"]
    D = doc.get("directions", 1)
    G = mtf.GATES[kind]
    options = tuple(o for o, on in (("bi", D == 2), ("back", doc.get("go_backwards", False))) if on)
    params = {"layers": [], "head": None}
    for l in range(layers):
        in_l = i if l == 0 else D * h
        for d in range(D):
            src = doc["layers"][l * D + d]
            params["layers"].append({
                "weight_ih": tensor(src["weight_ih"], (G * h, in_l), device),
                "weight_hh": tensor(src["weight_hh"], (G * h, h), device),
                "bias_ih": tensor(src["bias_ih"], (G * h,), device),
                "bias_hh": tensor(src["bias_hh"], (G * h,), device),
            })
    if head_units:
        params["head"] = {"weight": tensor(doc["head"]["weight"], (head_units, D * h), device),
                          "bias": tensor(doc["head"]["bias"], (head_units,), device)}
    x = tensor(doc["input"], (b, t, i), device)
    out_shape = (b, head_units) if head_units else (b, t, D * h)
    r = tensor(doc["output_weights"], out_shape, device)
    # run_model builds its modules on the CPU (make_rnn, nn.Linear): build them on `device` instead, for this call.
    make_rnn, nn = mtf.make_rnn, mtf.nn
    mtf.make_rnn = lambda *a, **k: make_rnn(*a, **k).to(device)
    mtf.nn = types.SimpleNamespace(Linear=lambda *a, **k: torch.nn.Linear(*a, **k).to(device),
                                   RNN=torch.nn.RNN, LSTM=torch.nn.LSTM, GRU=torch.nn.GRU)
    try:
        res = mtf.run_model(kind, i, h, layers, head_units, params, x, r, torch.float32, options)
    finally:
        mtf.make_rnn, mtf.nn = make_rnn, nn
    return res, options


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_gpu_parity: CUDA not available", file=sys.stderr)
        return 1
    device = torch.device(args.device)
    # Plain float32 maths (no TF32 tensor cores), as the parity mode compares at 1e-4.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(args.out, exist_ok=True)
    name_of_device = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print("torch %s, cuDNN %s, device %s" % (torch.__version__, torch.backends.cudnn.version(), name_of_device))
    worst = 0.0
    for name in NAMES:
        with open(os.path.join(FIXTURES, name + ".json")) as f:
            doc = json.load(f)
        res, options = rerun(doc, device)
        out_diff = (res["output"].double().cpu() - torch.tensor(doc["output"], dtype=torch.float64).view_as(res["output"].cpu())).abs().max().item()
        worst = max(worst, out_diff)
        print("%-28s max|out(%s fp32) - out(fp64 fixture)| = %.3e" % (name, args.device, out_diff))
        new = dict(doc)
        new["name"] = "torchgpu_" + name
        new["torch_device"] = ("%s: %s" % (args.device, name_of_device)).replace('"', "'")
        new["output"] = res["output"]
        new["h_n"] = res["h_n"]
        new["c_n"] = res["c_n"]
        new["grad_input"] = res["grad_input"]
        new["grad_layers"] = res["grad_layers"]
        new["grad_head"] = res["grad_head"]
        # Inputs and weights stay as read (exact float32 values); results are written like the fixtures' (9 digits).
        text = mtf.fmt_value({k: (torch.tensor(v, dtype=torch.float32) if isinstance(v, list) and v and isinstance(v[0], float) else v)
                              for k, v in new.items() if k not in ("layers", "head")} | {"layers": params_as_tensors(doc["layers"]), "head": head_as_tensors(doc["head"])})
        path = os.path.join(args.out, "torchgpu_" + name + ".json")
        with open(path + ".tmp", "w", newline="\n") as f:
            f.write(text + "\n")
        os.replace(path + ".tmp", path)
    print("wrote %d files to %s; worst output difference from the float64 fixtures %.3e" % (len(NAMES), args.out, worst))
    return 0


def params_as_tensors(layers):
    return [{k: torch.tensor(v, dtype=torch.float32) for k, v in layer.items()} for layer in layers]


def head_as_tensors(head):
    return None if head is None else {k: torch.tensor(v, dtype=torch.float32) for k, v in head.items()}


if __name__ == "__main__":
    sys.exit(main())
