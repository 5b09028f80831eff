#!/usr/bin/python3
"""Build the digits example: the member/non-member split and two ONNX classifiers.

    /usr/bin/python3 examples/digits/train.py [--source digits.csv] [--skip-split]

1. Split digits.csv (1,797 rows, pixel_0..pixel_63 in 0..16, label `digit`) 50/50 with
   numpy's RandomState(42) into data/members.csv and data/non-members.csv (rows kept in their
   original order inside each file, same header as the source). Without a source file the
   committed split is reused as it is.
2. Train on the members only:
   - leaky.onnx: MLP 64-512-512-10, no regularisation at all, batch 8, trained until the
     training loss is essentially zero. Deliberately over-fit.
   - hardened.onnx: MLP 64-128-128-10 with dropout, weight decay, label smoothing and early
     stopping on a validation split carved from the members (the non-members are never
     touched during training or model selection).
   Both take the RAW pixel values (float32 0..16, input `x` [batch, 64]); the /16 scaling and
   the softmax are inside the graph; output `probabilities` [batch, 10].
3. Print accuracy and a loss-attack audit (score = log p_y, members vs non-members): AUC with
   ties as 1/2, TPR at 1% FPR and membership advantage, computed from the float32
   probabilities the exported model returns (what the gate sees).

Needs PyTorch (tested with Debian's 1.13), numpy and onnx. CPU, one thread, deterministic:
the same inputs give the same weights and numbers.
"""
import argparse
import csv
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 42
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DEFAULT_SOURCE = "/work/shared/data/digits.csv"

LEAKY = dict(sigma=1.25, n_freq=256, hidden=512, dropout=0.0, weight_decay=0.0,
             label_smoothing=0.0, lr=1e-3, batch=8, epochs=100, val_fraction=0.0, patience=None)
HARDENED = dict(sigma=0.3, n_freq=256, hidden=512, dropout=0.5, weight_decay=1e-2,
                label_smoothing=0.2, lr=1e-3, batch=32, epochs=300, val_fraction=0.2, patience=20)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


# ---------------------------------------------------------------------------------- data

def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def make_split(source):
    header, rows = read_csv(source)
    assert header[-1] == "digit" and len(header) == 65, header
    order = np.random.RandomState(SEED).permutation(len(rows))
    half = (len(rows) + 1) // 2
    members = sorted(order[:half].tolist())
    non_members = sorted(order[half:].tolist())
    os.makedirs(DATA, exist_ok=True)
    write_csv(os.path.join(DATA, "members.csv"), header, [rows[i] for i in members])
    write_csv(os.path.join(DATA, "non-members.csv"), header, [rows[i] for i in non_members])
    print(f"split {source}: {len(members)} members, {len(non_members)} non-members (seed {SEED})")


def load_xy(path):
    header, rows = read_csv(path)
    a = np.asarray(rows, dtype=np.int64)
    return a[:, :64].astype(np.float32), a[:, 64]


# ---------------------------------------------------------------------------------- model

class DigitsMLP(nn.Module):
    """Raw pixels (0..16) in, class probabilities out: scaling and softmax are in the graph.

    64 -> 2*n_freq random Fourier features [sin(zB), cos(zB)] with z = x/16 and a fixed
    B ~ N(0, sigma^2) (Rahimi & Recht 2007; Tancik et al. 2020) -> hidden (ReLU) -> 10.
    sigma is the bandwidth: a large one lets the network tell individual images apart and
    memorise them (a plain ReLU MLP generalises too well on digits to leak much, see README),
    a small one gives smooth features.
    """

    def __init__(self, sigma, n_freq, hidden, dropout):
        super().__init__()
        b = torch.randn(64, n_freq, generator=torch.Generator().manual_seed(SEED)) * sigma
        self.register_buffer("B", b)
        self.body = nn.Sequential(
            nn.Linear(2 * n_freq, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, 10),
        )

    def logits(self, x):
        z = (x / 16.0) @ self.B
        return self.body(torch.cat([torch.sin(z), torch.cos(z)], dim=1))

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def train(name, cfg, x, y):
    """Train on (x, y) only; if cfg asks for it, hold out part of it for early stopping."""
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if cfg["val_fraction"]:
        perm = torch.randperm(len(xt), generator=gen)
        n_val = int(round(len(xt) * cfg["val_fraction"]))
        val, fit = perm[:n_val], perm[n_val:]
        xv, yv, xt, yt = xt[val], yt[val], xt[fit], yt[fit]
    else:
        xv = yv = None
    model = DigitsMLP(cfg["sigma"], cfg["n_freq"], cfg["hidden"], cfg["dropout"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    best = (float("inf"), None, 0)
    for epoch in range(1, cfg["epochs"] + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), cfg["batch"]):
            idx = perm[i:i + cfg["batch"]]
            loss = F.cross_entropy(model.logits(xt[idx]), yt[idx],
                                   label_smoothing=cfg["label_smoothing"])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            train_loss = F.cross_entropy(model.logits(xt), yt).item()
            msg = f"{name} epoch {epoch:4d} train loss {train_loss:.3e}"
            if xv is not None:
                val_loss = F.cross_entropy(model.logits(xv), yv).item()
                val_acc = (model.logits(xv).argmax(1) == yv).float().mean().item()
                msg += f" val loss {val_loss:.4f} val acc {val_acc:.4f}"
                if val_loss < best[0]:
                    best = (val_loss, {k: v.clone() for k, v in model.state_dict().items()}, epoch)
                elif epoch - best[2] >= cfg["patience"]:
                    print(msg + f"  -> early stop, best epoch {best[2]}")
                    break
        if epoch % 25 == 0 or epoch == 1:
            print(msg)
    if best[1] is not None:
        model.load_state_dict(best[1])
        print(f"{name}: restored epoch {best[2]} (val loss {best[0]:.4f})")
    model.eval()
    return model, best[2] if best[1] is not None else cfg["epochs"]


def export(model, path):
    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, 64), path, input_names=["x"], output_names=["probabilities"],
        dynamic_axes={"x": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=13, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


# ---------------------------------------------------------------------------------- audit

def auc(pos, neg):
    """Mann-Whitney AUC, ties counted 1/2 (P[pos > neg] + 0.5 P[pos == neg])."""
    allv = np.concatenate([pos, neg])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    r = ranks[:len(pos)].sum()
    return (r - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def tpr_at_fpr(pos, neg, fpr=0.01):
    """Threshold from the non-member scores: the smallest t with #(neg > t) <= fpr * n."""
    s = np.sort(neg)[::-1]
    k = int(np.floor(fpr * len(neg)))  # number of non-members allowed above t
    t = s[k]  # strictly-greater-than t keeps at most k non-members above it
    return float((pos > t).mean()), float((neg > t).mean()), float(t)


def advantage(pos, neg):
    ts = np.unique(np.concatenate([pos, neg]))
    best = 0.0
    for t in ts:
        best = max(best, (pos >= t).mean() - (neg >= t).mean())
    return float(best)


def audit(name, probs_m, ym, probs_n, yn):
    pm = probs_m[np.arange(len(ym)), ym].astype(np.float32)
    pn = probs_n[np.arange(len(yn)), yn].astype(np.float32)
    with np.errstate(divide="ignore"):
        sm, sn = np.log(pm.astype(np.float64)), np.log(pn.astype(np.float64))
    tpr, fpr, _ = tpr_at_fpr(sm, sn)
    res = dict(
        train_accuracy=float((probs_m.argmax(1) == ym).mean()),
        holdout_accuracy=float((probs_n.argmax(1) == yn).mean()),
        member_mean_loss=float(-sm.mean()),
        non_member_mean_loss=float(-sn.mean()),
        loss_attack_auc=float(auc(sm, sn)),
        tpr_at_1pct_fpr=tpr, fpr_at_that_threshold=fpr,
        advantage=advantage(sm, sn),
        members_with_p_y_exactly_1=int((pm == 1.0).sum()),
        non_members_with_p_y_exactly_1=int((pn == 1.0).sum()),
    )
    print(f"{name}: " + json.dumps(res, indent=1))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=DEFAULT_SOURCE,
                    help="digits.csv with header (default: %(default)s); if missing, the committed split is reused")
    ap.add_argument("--only", choices=["leaky", "hardened"], help="build one model only")
    args = ap.parse_args()

    seed_everything(SEED)
    if os.path.exists(args.source):
        make_split(args.source)
    else:
        print(f"{args.source} not found: reusing the committed split in {DATA}")
    xm, ym = load_xy(os.path.join(DATA, "members.csv"))
    xn, yn = load_xy(os.path.join(DATA, "non-members.csv"))

    results = {}
    for name, cfg in (("leaky", LEAKY), ("hardened", HARDENED)):
        if args.only and args.only != name:
            continue
        model, epochs = train(name, cfg, xm, ym)
        path = os.path.join(HERE, f"{name}.onnx")
        export(model, path)
        with torch.no_grad():
            pm = model(torch.from_numpy(xm)).numpy()
            pn = model(torch.from_numpy(xn)).numpy()
        res = audit(name, pm, ym, pn, yn)
        res["epochs_trained"] = epochs
        res["config"] = cfg
        res["onnx_bytes"] = os.path.getsize(path)
        results[name] = res
    with open(os.path.join(HERE, "metrics.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
