#!/usr/bin/python3
"""Trains a small PyTorch LSTM classifier and saves it for samples/FromPyTorch (Debian's python3-torch).

Task: tell a sine, a square and a sawtooth wave apart from 20 noisy samples (random frequency and phase).
Module: lstm = nn.LSTM(1, 16, batch_first=True), head = nn.Linear(16, 3), softmax over h_n — the same names as the
C# declaration's layers, so no name map is needed.

Writes, next to this script:
  model.safetensors  the state_dict, in safetensors.torch.save_file's format (written by hand below: the
                     safetensors package is not installable here)
  test.json          8 test sequences, their labels and PyTorch's probabilities

    /usr/bin/python3 samples/FromPyTorch/train.py
"""
import json
import math
import os
import struct

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS, CLASSES = 20, ["sine", "square", "sawtooth"]


def waves(n, gen):
    label = torch.randint(0, 3, (n,), generator=gen)
    freq = 0.5 + torch.rand(n, 1, generator=gen) * 1.5
    phase = torch.rand(n, 1, generator=gen) * 2 * math.pi
    t = torch.arange(STEPS).float().unsqueeze(0) * 0.3
    angle = freq * t + phase
    sine = torch.sin(angle)
    square = torch.sign(sine)
    saw = 2 * torch.remainder(angle / (2 * math.pi), 1.0) - 1
    x = torch.where(label.unsqueeze(1) == 0, sine, torch.where(label.unsqueeze(1) == 1, square, saw))
    x = x + 0.1 * torch.randn(x.shape, generator=gen)
    return x.unsqueeze(2), label


class WaveClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return torch.softmax(self.head(h[-1]), dim=1)


def save_file(state, path):
    names = sorted(state, key=lambda k: (-state[k].element_size(), k))
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for k in names:
        data = state[k].detach().contiguous().numpy().astype("<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(state[k].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    torch.manual_seed(7)
    gen = torch.Generator().manual_seed(7)
    model = WaveClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = waves(1024, gen)
    for epoch in range(30):
        for i in range(0, len(x), 64):
            optimizer.zero_grad()
            p = model(x[i:i + 64])
            loss = nn.functional.nll_loss(torch.log(p + 1e-9), y[i:i + 64])
            loss.backward()
            optimizer.step()
    xt, yt = waves(512, gen)
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
        xs, ys = xt[:8], yt[:8]
        ps = model(xs)
    save_file(model.state_dict(), os.path.join(HERE, "model.safetensors"))
    with open(os.path.join(HERE, "test.json"), "w") as f:
        json.dump(dict(classes=CLASSES, steps=STEPS, accuracy=accuracy,
                       inputs=[[float(v) for v in s.reshape(-1)] for s in xs],
                       labels=[int(v) for v in ys],
                       torch_probabilities=[[float(v) for v in p] for p in ps]), f, indent=1)
    print(f"trained: test accuracy {accuracy:.3f}; wrote model.safetensors and test.json")


if __name__ == "__main__":
    main()
