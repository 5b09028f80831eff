#!/usr/bin/python3
"""Build the wages example: encoded data, a seeded member/non-member split, two ONNX wage models.

    /usr/bin/python3 examples/wages/train.py [--only leaky|hardened]

1. Encode data/wages-cps-1985.csv (534 rows; Berndt 1991, see README.md) numerically: one
   column per category of race, occupation and sector (one-hot), `female` for gender, and
   `union` / `married` recoded to Berndt's codebook (1 = union member, 1 = married; the
   source file has both flipped, see README.md). The label is `wage` (dollars per hour).
2. Split the rows 50/50 with numpy's RandomState(42) into data/members.csv (training records)
   and data/non-members.csv (never used for training or model selection), original order kept.
3. Train two regressors on the members only; both take the 19 raw feature columns (input `x`
   [batch, 19], float32; standardisation is inside the graph) and output `wage` [batch, 1]:
   - leaky.onnx: MLP 19-512-512-1, no regularisation, batch 8, 600 epochs: memorises its
     training records (training RMSE far below the error on fresh records).
   - hardened.onnx: MLP 19-32-32-1 with dropout 0.2, weight decay 0.1 and early stopping on
     a validation split carved from the members.
4. Print RMSE on members and non-members and the Fredrikson et al. attack on `union` as the
   gate runs it (observed: label, prior from the non-members with add-one smoothing,
   residual-spread: training), and write metrics.json.

Needs PyTorch (tested with Debian's 1.13), numpy and onnx. CPU, one thread, deterministic.
"""
import argparse
import csv
import json
import os
import random

import numpy as np
import torch
import torch.nn as nn

SEED = 42
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SOURCE = os.path.join(DATA, "wages-cps-1985.csv")

RACES = ["white", "hispanic", "other"]
OCCUPATIONS = ["management", "sales", "clerical", "service", "professional", "other"]
SECTORS = ["manufacturing", "construction", "other"]
FEATURES = (["education", "south", "female", "experience", "union", "age"]
            + [f"race_{r}" for r in RACES]
            + [f"occupation_{o}" for o in OCCUPATIONS]
            + [f"sector_{s}" for s in SECTORS]
            + ["married"])
UNION = FEATURES.index("union")

LEAKY = dict(hidden=512, layers=2, dropout=0.0, weight_decay=0.0, lr=1e-3, batch=8, epochs=600,
             val_fraction=0.0, patience=None)
HARDENED = dict(hidden=32, layers=2, dropout=0.2, weight_decay=0.1, lr=1e-3, batch=32, epochs=400,
                val_fraction=0.2, patience=30)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


# ---------------------------------------------------------------------------------- data

def encode(row):
    """One source row -> the 19 features (floats) and the wage."""
    feats = [
        float(row["education"]), float(row["south"]), 1.0 if row["gender"] == "female" else 0.0,
        float(row["experience"]),
        1.0 - float(row["union"]),  # source: 1 = NOT a member (see README.md)
        float(row["age"]),
    ]
    feats += [1.0 if row["race"] == r else 0.0 for r in RACES]
    feats += [1.0 if row["occupation"] == o else 0.0 for o in OCCUPATIONS]
    feats += [1.0 if row["sector"] == s else 0.0 for s in SECTORS]
    feats.append(1.0 - float(row["married"]))  # source: 1 = NOT married (see README.md)
    return feats, float(row["wage"])


def fmt(v):
    return str(int(v)) if float(v).is_integer() else repr(v)


def make_split():
    with open(SOURCE, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 534, len(rows)
    encoded = [encode(r) for r in rows]
    order = np.random.RandomState(SEED).permutation(len(rows))
    half = (len(rows) + 1) // 2
    for name, idx in (("members", sorted(order[:half].tolist())), ("non-members", sorted(order[half:].tolist()))):
        with open(os.path.join(DATA, f"{name}.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(FEATURES + ["wage"])
            for i in idx:
                feats, wage = encoded[i]
                w.writerow([fmt(v) for v in feats] + [fmt(wage)])
    print(f"split {len(rows)} rows: {half} members, {len(rows) - half} non-members (seed {SEED})")


def load(name):
    with open(os.path.join(DATA, f"{name}.csv"), newline="") as f:
        r = csv.reader(f)
        header = next(r)
        assert header == FEATURES + ["wage"], header
        a = np.asarray([[float(v) for v in row] for row in r], dtype=np.float64)
    return a[:, :-1].astype(np.float32), a[:, -1]


# ---------------------------------------------------------------------------------- model

class WageMLP(nn.Module):
    """Raw features in, wage out; the members' mean and standard deviation are graph constants."""

    def __init__(self, mean, std, hidden, layers, dropout):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(mean.astype(np.float32)))
        self.register_buffer("std", torch.from_numpy(std.astype(np.float32)))
        parts, width = [], len(FEATURES)
        for _ in range(layers):
            parts += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden
        parts.append(nn.Linear(width, 1))
        self.body = nn.Sequential(*parts)

    def forward(self, x):
        return self.body((x - self.mean) / self.std)


def train(name, cfg, x, y):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32)).unsqueeze(1)
    if cfg["val_fraction"]:
        perm = torch.randperm(len(xt), generator=gen)
        n_val = int(round(len(xt) * cfg["val_fraction"]))
        xv, yv, xt, yt = xt[perm[:n_val]], yt[perm[:n_val]], xt[perm[n_val:]], yt[perm[n_val:]]
    else:
        xv = yv = None
    std = xt.numpy().std(0)
    std[std == 0] = 1.0
    model = WageMLP(xt.numpy().mean(0), std, cfg["hidden"], cfg["layers"], cfg["dropout"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    best = (float("inf"), None, 0)
    for epoch in range(1, cfg["epochs"] + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), cfg["batch"]):
            idx = perm[i:i + cfg["batch"]]
            loss = ((model(xt[idx]) - yt[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            msg = f"{name} epoch {epoch:4d} train RMSE {((model(xt) - yt) ** 2).mean().sqrt().item():.3f}"
            if xv is not None:
                val = ((model(xv) - yv) ** 2).mean().item()
                msg += f" val RMSE {val ** 0.5:.3f}"
                if val < best[0]:
                    best = (val, {k: v.clone() for k, v in model.state_dict().items()}, epoch)
                elif epoch - best[2] >= cfg["patience"]:
                    print(msg + f"  -> early stop, best epoch {best[2]}")
                    break
        if epoch % 50 == 0 or epoch == 1:
            print(msg)
    if best[1] is not None:
        model.load_state_dict(best[1])
        print(f"{name}: restored epoch {best[2]} (val RMSE {best[0] ** 0.5:.3f})")
    model.eval()
    return model, best[2] if best[1] is not None else cfg["epochs"]


def export(model, path):
    torch.onnx.export(
        model, torch.zeros(1, len(FEATURES)), path, input_names=["x"], output_names=["wage"],
        dynamic_axes={"x": {0: "batch"}, "wage": {0: "batch"}}, opset_version=13, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(path))


# ---------------------------------------------------------------------------------- audit

def predict(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()[:, 0].astype(np.float64)


def attack(model, xm, ym, xn, yn):
    """The gate's attack on `union`, observed: label, residual-spread: training (sigma = member RMSE)."""
    sigma = float(np.sqrt(((ym - predict(model, xm)) ** 2).mean()))
    counts = np.array([1.0 + (xn[:, UNION] == v).sum() for v in (0, 1)])
    log_prior = np.log(counts / counts.sum())
    mode = int(np.argmax(log_prior))
    out = {"sigma": sigma}
    for name, x, y in (("members", xm, ym), ("non_members", xn, yn)):
        ll = []
        for v in (0, 1):
            xv = x.copy()
            xv[:, UNION] = v
            ll.append(log_prior[v] - (y - predict(model, xv)) ** 2 / (2 * sigma ** 2))
        guess = (ll[1] > ll[0]).astype(int)
        truth = x[:, UNION].astype(int)
        out[f"{name}_accuracy"] = float((guess == truth).mean())
        out[f"{name}_baseline"] = float((truth == mode).mean())
        out[f"{name}_union_recall"] = float(guess[truth == 1].mean())
    out["lift"] = out["members_accuracy"] - out["members_baseline"]
    out["member_gap"] = out["members_accuracy"] - out["non_members_accuracy"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["leaky", "hardened"], help="build one model only")
    args = ap.parse_args()
    seed_everything(SEED)
    make_split()
    xm, ym = load("members")
    xn, yn = load("non-members")
    path = os.path.join(HERE, "metrics.json")
    results = json.load(open(path)) if args.only and os.path.exists(path) else {}
    for name, cfg in (("leaky", LEAKY), ("hardened", HARDENED)):
        if args.only and args.only != name:
            continue
        model, epochs = train(name, cfg, xm, ym)
        export(model, os.path.join(HERE, f"{name}.onnx"))
        res = {
            "member_rmse": float(np.sqrt(((ym - predict(model, xm)) ** 2).mean())),
            "non_member_rmse": float(np.sqrt(((yn - predict(model, xn)) ** 2).mean())),
            "non_member_rmse_of_the_mean": float(np.sqrt(((yn - ym.mean()) ** 2).mean())),
            "union_attack": attack(model, xm, ym, xn, yn),
            "epochs_trained": epochs,
            "config": cfg,
        }
        print(f"{name}: " + json.dumps(res, indent=1))
        results[name] = res
    with open(path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
