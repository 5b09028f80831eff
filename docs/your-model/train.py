#!/usr/bin/python3
"""The worked example of docs/your-model.md: train a small PyTorch classifier and export it for the gate.

    /usr/bin/python3 docs/your-model/train.py [--out DIR]

Trains a plain MLP (64 -> 128 -> 10, no regularisation) on the digits example's member records
(examples/digits/data/members.csv) for 400 full-batch Adam steps and keeps the non-members
(non-members.csv) out of training entirely: they are the gate's held-out set. Exports DIR/model.onnx
(default: this folder) with named input and output and a dynamic batch dimension, returning logits.
Seeded, one thread, deterministic algorithms: the same PyTorch gives the same bytes.
"""
import argparse
import csv
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "examples", "digits", "data")


def read(path):
    """Features in the CSV's column order (pixel_0 .. pixel_63) and the integer label `digit`."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    features = [name for name in rows[0] if name != "digit"]
    x = np.array([[float(r[name]) for name in features] for r in rows], dtype=np.float32)
    y = np.array([int(r["digit"]) for r in rows], dtype=np.int64)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    x_train, y_train = read(os.path.join(DATA, "members.csv"))
    x_hold, y_hold = read(os.path.join(DATA, "non-members.csv"))

    # The scaling (pixels 0..16 -> 0..1) is part of the model, so the gate feeds raw CSV values.
    model = torch.nn.Sequential(
        Scale(1 / 16),
        torch.nn.Linear(64, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for _ in range(400):
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimiser.step()

    model.eval()
    with torch.no_grad():
        train_acc = (model(xt).argmax(1) == yt).float().mean().item()
        hold_acc = (model(torch.from_numpy(x_hold)).argmax(1) == torch.from_numpy(y_hold)).float().mean().item()
    print(f"training loss {loss.item():.2e}, accuracy {train_acc:.3f} on members, {hold_acc:.3f} on non-members")
    # Float32 saturation: how many records' true-class probability rounds to exactly 1.0 when the
    # softmax is taken in float32, as a model that exports probabilities would return it.
    for name, x, y in (("members", xt, yt), ("non-members", torch.from_numpy(x_hold), torch.from_numpy(y_hold))):
        with torch.no_grad():
            p_true = torch.softmax(model(x), dim=1).gather(1, y[:, None])[:, 0]
        print(f"{name}: {int((p_true == 1.0).sum())} of {len(y)} have float32 p_y = 1.0 exactly")

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(
        model,
        torch.zeros(1, 64),
        path,
        input_names=["pixels"],          # what the policy's model.input names
        output_names=["logits"],         # what the policy's model.output names
        dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},  # any batch size
        opset_version=13,
    )
    print(f"wrote {path}")


class Scale(torch.nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


if __name__ == "__main__":
    main()
