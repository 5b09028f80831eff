#!/usr/bin/python3
"""Build the digits example: the member/non-member split and three ONNX classifiers.

    /usr/bin/python3 examples/digits/train.py [--source digits.csv] [--dump-probs DIR]
    /usr/bin/python3 examples/digits/train.py --references K [--only leaky|hardened|private] [--refs DIR]
    /usr/bin/python3 examples/digits/train.py --references K --reference-slice I/N [...]
    /usr/bin/python3 examples/digits/merge_memberships.py [--refs DIR] [--only leaky|hardened|private]

1. Split digits.csv (1,797 rows, pixel_0..pixel_63 in 0..16, label `digit`) 50/50 with
   numpy's RandomState(42): the first 899 rows of the permutation are the members, the other
   898 the non-members (data/members.csv, data/non-members.csv; rows kept in source order,
   same header). Without the source file the committed split is reused as it is.
2. Train on the members only (the non-members are never seen, not even for model selection):
   - leaky.onnx: 64 -> 512 random Fourier features of frequency scale 1.25 -> 512 ReLU -> 10, no
     regularisation, batch 8, 100 epochs to a training loss of ~1e-6. Deliberately over-fit.
   - hardened.onnx: the same family with frequency scale 0.3 and 128 hidden units, trained with
     dropout 0.5, weight decay 0.1, label smoothing 0.2, +-1 pixel shifts, and early stopping
     on a validation split of 20% carved from the members.
   - private.onnx: the same family, smaller (64 random projections, 64 hidden units), trained
     with DP-SGD written out by hand (train_dp: per-sample clipping to norm 1, Gaussian noise
     of multiplier 3, Poisson lots at rate 0.2, 40 epochs); dp_epsilon gives (5.35, 1e-5) by
     the RDP accountant. It passes the deep audit (deep-audit.private.policy.yml).
   All three take the RAW pixel values (input `x`, float32 [batch, 64], 0..16); the /16 scaling and
   the softmax are inside the graph; output `probabilities`, float32 [batch, 10].
3. Audit: accuracy and the loss attack (score = log p_y, members vs non-members) computed from
   the float32 probabilities the exported model returns (what the gate sees): AUC with ties
   as 1/2, TPR at 1% FPR and membership advantage; written to metrics.json. PyTorch's outputs
   for the first rows of each split go to reference-outputs.json (verify.cjs checks ONNX
   Runtime against them).

4. With --references K (even): K reference models per family (refs/leaky/, refs/hardened/,
   refs/private/) for
   reference-model attacks (LiRA, RMIA). The 1,797 records are pooled in the gate's record
   order (members.csv rows, then non-members.csv rows); for each of K/2 seeded random splits
   into two complementary halves, one model trains on each half with the target's own recipe
   and a fresh seed (REFERENCE_SEED + model index: random features, initial weights, batches).
   So each record is IN for K/2 models, minus, for the hardened recipe, the models whose
   early-stopping validation set drew it (those are neither IN nor OUT: empty in the file).
   Writes refs/<family>/ref-NN.onnx and refs/<family>/memberships.csv (a row per model: file
   name, then 1 / 0 / empty per record). The targets and metrics.json are left unchanged.
   --refs DIR writes under DIR instead of refs/ (DIR/leaky/, DIR/hardened/).

5. With --reference-slice I/N (1 <= I <= N) only slice I of the K models is trained: models
   floor((I-1)K/N) .. floor(IK/N)-1. The splits depend only on K and the seed, never on what
   other models were trained, so N slices can run in parallel (examples/workflows/
   privacy-gate-deep-audit.yml) and give the same models as one run. Each slice writes its
   rows to <family>/memberships.slice-I-of-N.csv (same header); merge_memberships.py joins
   the N slice files into <family>/memberships.csv in model order, byte-identical to the file
   one --references K run writes.

Needs PyTorch (Debian's 1.13 was used), numpy and onnx. CPU, one thread, deterministic
algorithms, every generator seeded: on the same software a rebuild is byte-identical.
"""
import argparse
import csv
import json
import os
import random
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 42
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DEFAULT_SOURCE = "/work/shared/data/digits.csv"

LEAKY = dict(sigma=1.25, n_freq=256, hidden=512, dropout=0.0, weight_decay=0.0,
             label_smoothing=0.0, augment=False, lr=1e-3, batch=8, epochs=100,
             val_fraction=0.0, patience=None)
HARDENED = dict(sigma=0.3, n_freq=256, hidden=128, dropout=0.5, weight_decay=0.1,
                label_smoothing=0.2, augment=True, lr=1e-3, batch=32, epochs=300,
                val_fraction=0.2, patience=20)
# DP-SGD (Abadi et al. 2016), written out by hand in train_dp: a small model of the same family
# (64 random projections and 64 hidden units: fewer parameters to noise, and its 16 reference
# models fit in the repository), per-sample gradients clipped to L2 norm `clip`, Gaussian noise
# of standard deviation noise_multiplier * clip added to their sum, lots drawn by Poisson
# sampling at rate sample_rate, a fixed number of epochs (no early stopping: choosing weights on
# a validation split of the members would spend privacy outside the accountant), SGD with
# momentum. No shift augmentation: under this much noise, training on shifted digits kept the
# test accuracy at 0.74-0.79 in the runs tried (README.md).
# The accountant gives epsilon = 5.35 at delta = 1e-5 for these settings (dp_epsilon).
PRIVATE = dict(sigma=0.3, n_freq=64, hidden=64, augment=False, lr=0.1, momentum=0.9,
               clip=1.0, noise_multiplier=3.0, sample_rate=0.2, epochs=40, delta=1e-5)
FAMILIES = (("leaky", LEAKY), ("hardened", HARDENED), ("private", PRIVATE))
FAMILIES_BY_NAME = dict(FAMILIES)
REFERENCE_SEED = 1000  # reference model i uses seed REFERENCE_SEED + i; split s uses REFERENCE_SEED + s
REFS = os.path.join(HERE, "refs")
SLICE_FILE = "memberships.slice-{i}-of-{n}.csv"  # merge_memberships.py reads these names
N_REFERENCE_ROWS = 5  # rows of each split whose PyTorch outputs go to reference-outputs.json


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
    sigma is the frequency scale (the inverse bandwidth of the kernel the features
    approximate): a large one lets the network tell individual images apart and memorise them
    (a plain ReLU MLP generalises too well on digits to leak much, see README.md), a small one
    gives smooth features.
    """

    def __init__(self, sigma, n_freq, hidden, dropout, seed=SEED):
        super().__init__()
        b = torch.randn(64, n_freq, generator=torch.Generator().manual_seed(seed)) * sigma
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


def shift_images(xb, gen):
    """Data augmentation: move each 8x8 image by -1, 0 or +1 pixel in each direction (zero fill)."""
    n = len(xb)
    img = F.pad(xb.view(n, 1, 8, 8), (1, 1, 1, 1))
    dy = torch.randint(0, 3, (n,), generator=gen)
    dx = torch.randint(0, 3, (n,), generator=gen)
    out = torch.empty_like(xb).view(n, 8, 8)
    for i in range(n):
        out[i] = img[i, 0, dy[i]:dy[i] + 8, dx[i]:dx[i] + 8]
    return out.view(n, 64)


def train(name, cfg, x, y, seed=SEED, verbose=True):
    """Train on (x, y) only; if cfg asks for it, hold out part of it for early stopping.

    Returns the model, the epoch its weights come from, and the indices into (x, y) held out
    for validation (empty without early stopping)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if cfg["val_fraction"]:
        perm = torch.randperm(len(xt), generator=gen)
        n_val = int(round(len(xt) * cfg["val_fraction"]))
        val, fit = perm[:n_val], perm[n_val:]
        xv, yv, xt, yt = xt[val], yt[val], xt[fit], yt[fit]
        held_out = val.numpy()
    else:
        xv = yv = None
        held_out = np.zeros(0, dtype=np.int64)
    model = DigitsMLP(cfg["sigma"], cfg["n_freq"], cfg["hidden"], cfg["dropout"], seed=seed)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    best = (float("inf"), None, 0)
    for epoch in range(1, cfg["epochs"] + 1):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), cfg["batch"]):
            idx = perm[i:i + cfg["batch"]]
            xb = shift_images(xt[idx], gen) if cfg.get("augment") else xt[idx]
            loss = F.cross_entropy(model.logits(xb), yt[idx],
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
                    if verbose:
                        print(msg + f"  -> early stop, best epoch {best[2]}")
                    break
        if verbose and (epoch % 25 == 0 or epoch == 1):
            print(msg)
    if best[1] is not None:
        model.load_state_dict(best[1])
        if verbose:
            print(f"{name}: restored epoch {best[2]} (val loss {best[0]:.4f})")
    model.eval()
    return model, best[2] if best[1] is not None else cfg["epochs"], held_out


def train_dp(name, cfg, x, y, seed=SEED, verbose=True):
    """DP-SGD on (x, y), by hand: the model's only trained layers are its two Linear layers (the
    random features are fixed), so each record's gradient is an outer product per layer and its
    norm is |d2|^2 (|h|^2 + 1) + |d1|^2 (|f|^2 + 1) (weights and bias), with d2 = dLoss/dlogits,
    d1 = dLoss/d(hidden pre-activation), h the hidden activations and f the features.
    Each step: a Poisson-sampled lot (every record in with probability q, the rate the
    accountant assumes), each record's gradient scaled to norm <= clip, the sum plus
    N(0, (noise_multiplier * clip)^2) per coordinate, divided by the expected lot size q n.
    With augmentation each record is shifted once per step before its gradient is taken, so it
    still contributes one clipped gradient. Same return values as train()."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n, q, clip = len(xt), cfg["sample_rate"], cfg["clip"]
    model = DigitsMLP(cfg["sigma"], cfg["n_freq"], cfg["hidden"], 0.0, seed=seed)
    first, last = model.body[0], model.body[3]
    params = [first.weight, first.bias, last.weight, last.bias]
    velocity = [torch.zeros_like(p) for p in params]
    steps = int(round(cfg["epochs"] / q))
    model.eval()  # no dropout; gradients are computed below, not by autograd
    with torch.no_grad():
        for step in range(1, steps + 1):
            idx = torch.nonzero(torch.rand(n, generator=gen) < q).squeeze(1)
            xb = shift_images(xt[idx], gen) if cfg.get("augment") else xt[idx]
            z = (xb / 16.0) @ model.B
            f = torch.cat([torch.sin(z), torch.cos(z)], dim=1)
            a = first(f)
            h = torch.relu(a)
            d2 = torch.softmax(last(h), dim=1) - F.one_hot(yt[idx], 10).float()
            d1 = (d2 @ last.weight) * (a > 0).float()
            norms = torch.sqrt((d2 ** 2).sum(1) * ((h ** 2).sum(1) + 1)
                               + (d1 ** 2).sum(1) * ((f ** 2).sum(1) + 1))
            scale = torch.clamp(clip / (norms + 1e-12), max=1.0)
            c2, c1 = d2 * scale[:, None], d1 * scale[:, None]
            grads = [c1.T @ f, c1.sum(0), c2.T @ h, c2.sum(0)]
            for p, g, v in zip(params, grads, velocity):
                noise = torch.randn(p.shape, generator=gen) * (cfg["noise_multiplier"] * clip)
                v.mul_(cfg["momentum"]).add_((g + noise) / (q * n))
                p.sub_(cfg["lr"] * v)
            if verbose and (step % 100 == 0 or step == steps):
                train_loss = F.cross_entropy(model.logits(xt), yt).item()
                print(f"{name} step {step:5d}/{steps} (epoch {step * q:.1f}) train loss {train_loss:.4f}")
    return model, cfg["epochs"], np.zeros(0, dtype=np.int64)


def dp_epsilon(q, noise_multiplier, steps, delta, orders=range(2, 257)):
    """(epsilon, order) of DP-SGD by the RDP accountant (Mironov 2017; Mironov, Talwar and
    Zhang 2019, section 3.3): the Poisson-subsampled Gaussian mechanism at integer order a has
    RDP log(A_a) / (a - 1) with A_a = sum_k C(a, k) (1 - q)^(a - k) q^k exp((k^2 - k) / (2 s^2)),
    composed over the steps, converted with epsilon = RDP(a) + log(1 / delta) / (a - 1) and
    minimised over the orders. Computed in logs (lgamma) so that large orders do not overflow."""
    from math import exp, lgamma, log, log1p
    best = (float("inf"), None)
    for a in orders:
        terms = [lgamma(a + 1) - lgamma(k + 1) - lgamma(a - k + 1) + (a - k) * log1p(-q)
                 + k * log(q) + (k * k - k) / (2 * noise_multiplier ** 2) for k in range(a + 1)]
        top = max(terms)
        log_a = top + log(sum(exp(t - top) for t in terms))
        eps = steps * log_a / (a - 1) + log(1 / delta) / (a - 1)
        if eps < best[0]:
            best = (eps, a)
    return best


def dp_guarantee(cfg, n_records):
    """The DP-SGD settings and the (epsilon, delta) the accountant gives for them."""
    steps = int(round(cfg["epochs"] / cfg["sample_rate"]))
    eps, order = dp_epsilon(cfg["sample_rate"], cfg["noise_multiplier"], steps, cfg["delta"])
    return dict(noise_multiplier=cfg["noise_multiplier"], clip=cfg["clip"],
                sample_rate=cfg["sample_rate"], expected_lot=cfg["sample_rate"] * n_records,
                epochs=cfg["epochs"], steps=steps, epsilon=eps, delta=cfg["delta"], rdp_order=order)


def trainer(cfg):
    return train_dp if "noise_multiplier" in cfg else train


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
    """Loss attack (score = log p_y = -loss) from the float32 probabilities, plus two other
    score functions for information (DESIGN.md: entropy -H(p), modified entropy -Mentr)."""
    def scores(p, y):
        p = p.astype(np.float64)
        py = p[np.arange(len(y)), y]
        with np.errstate(divide="ignore", invalid="ignore"):
            loss_score = np.log(py)
            plogp = np.where(p > 0, p * np.log(p), 0.0)
            entropy_score = plogp.sum(axis=1)  # -H(p)
            other = p.copy()
            other[np.arange(len(y)), y] = 0.0
            log1m = np.where(other > 0, np.log1p(-np.minimum(other, 1 - 1e-16)), 0.0)
            mentr = -(1 - py) * np.log(py) - (other * log1m).sum(axis=1)
        return loss_score, entropy_score, -mentr

    lm, em, mm = scores(probs_m, ym)
    ln, en, mn = scores(probs_n, yn)
    tpr, fpr, _ = tpr_at_fpr(lm, ln)
    res = dict(
        members=len(ym), non_members=len(yn),
        train_accuracy=float((probs_m.argmax(1) == ym).mean()),
        holdout_accuracy=float((probs_n.argmax(1) == yn).mean()),
        member_mean_loss=float(-lm.mean()),
        non_member_mean_loss=float(-ln.mean()),
        loss_attack_auc=float(auc(lm, ln)),
        tpr_at_1pct_fpr=tpr, fpr_at_that_threshold=fpr,
        advantage=advantage(lm, ln),
        entropy_attack_auc=float(auc(em, en)),
        mentr_attack_auc=float(auc(mm, mn)),
        members_with_p_y_exactly_1=int((probs_m[np.arange(len(ym)), ym] == 1.0).sum()),
        non_members_with_p_y_exactly_1=int((probs_n[np.arange(len(yn)), yn] == 1.0).sum()),
    )
    print(f"{name}: " + json.dumps(res, indent=1))
    return res


def dumps(obj):
    """JSON with each innermost list (a row) on one line."""
    text = json.dumps(obj, indent=1)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda m: "[" + ", ".join(p.strip() for p in m.group(1).split(",")) + "]", text)


# ---------------------------------------------------------------------------------- references

def reference_splits(n_records, k):
    """K/2 seeded splits of the pooled records into two complementary halves: model 2s trains
    on split s's first half, model 2s+1 on its second. Returns a [K, n] boolean matrix."""
    assert k >= 2 and k % 2 == 0, "--references needs an even K >= 2"
    train_on = np.zeros((k, n_records), dtype=bool)
    for s in range(k // 2):
        order = np.random.RandomState(REFERENCE_SEED + s).permutation(n_records)
        first = order[:n_records // 2]
        train_on[2 * s, first] = True
        train_on[2 * s + 1] = ~train_on[2 * s]
    return train_on


def parse_slice(text, k):
    """'I/N' -> (I, N), checked: 1 <= I <= N <= K (so that no slice is empty)."""
    m = re.fullmatch(r"([0-9]+)/([0-9]+)", text or "")
    if not m:
        raise SystemExit(f"--reference-slice: expected I/N such as 2/4, got {text!r}")
    i, n = int(m.group(1)), int(m.group(2))
    if not 1 <= i <= n <= k:
        raise SystemExit(f"--reference-slice {text}: expected 1 <= I <= N <= K = {k}")
    return i, n


def slice_models(k, i, n):
    """Model indices of slice i of n (1-based): contiguous, sizes differing by at most one."""
    return range((i - 1) * k // n, i * k // n)


def train_references(k, families, refs=REFS, part=None):
    """K reference models per family, and each family's memberships file (see the docstring).
    With part = (i, n) only slice i of n: its models and its rows in a slice file."""
    xm, ym = load_xy(os.path.join(DATA, "members.csv"))
    xn, yn = load_xy(os.path.join(DATA, "non-members.csv"))
    x, y = np.concatenate([xm, xn]), np.concatenate([ym, yn])  # the gate's record order
    halves = reference_splits(len(x), k)
    for name, cfg in families:
        folder = os.path.join(refs, name)
        os.makedirs(folder, exist_ok=True)
        rows = []
        for i in (slice_models(k, *part) if part else range(k)):
            seed_everything(REFERENCE_SEED + i)
            idx = np.flatnonzero(halves[i])
            model, epochs, held_out = trainer(cfg)(f"{name} ref {i}", cfg, x[idx], y[idx],
                                            seed=REFERENCE_SEED + i, verbose=False)
            file = f"ref-{i:02d}.onnx"
            export(model, os.path.join(folder, file))
            cells = np.where(halves[i], "1", "0").astype(object)
            cells[idx[held_out]] = ""  # early-stopping validation: neither trained on nor unseen
            rows.append([file] + cells.tolist())
            with torch.no_grad():
                acc_out = (model(torch.from_numpy(x[~halves[i]])).argmax(1).numpy() == y[~halves[i]]).mean()
            print(f"{name} ref {i:2d}: {halves[i].sum() - len(held_out)} IN, {len(held_out)} held out, "
                  f"epoch {epochs}, accuracy on its OUT half {acc_out:.4f}")
        header = ["model"] + [f"m{j}" for j in range(len(xm))] + [f"n{j}" for j in range(len(xn))]
        out = SLICE_FILE.format(i=part[0], n=part[1]) if part else "memberships.csv"
        write_csv(os.path.join(folder, out), header, rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=DEFAULT_SOURCE,
                    help="digits.csv with header (default: %(default)s); if missing, the committed split is reused")
    ap.add_argument("--only", choices=[n for n, _ in FAMILIES],
                    help="build one model only (its entries in metrics.json and reference-outputs.json are updated)")
    ap.add_argument("--dump-probs", metavar="DIR", help="also save all PyTorch probabilities as .npy files in DIR")
    ap.add_argument("--references", type=int, metavar="K",
                    help="train K reference models per family (even K) into refs/ instead of the targets")
    ap.add_argument("--reference-slice", metavar="I/N",
                    help="with --references: train only slice I of N of the K models (see 5. above)")
    ap.add_argument("--refs", metavar="DIR", default=REFS,
                    help="with --references: folder for <family>/ref-NN.onnx and memberships (default: %(default)s)")
    args = ap.parse_args()

    if args.reference_slice and not args.references:
        raise SystemExit("--reference-slice needs --references K")
    if args.references:
        families = [(n, c) for n, c in FAMILIES if not args.only or args.only == n]
        part = parse_slice(args.reference_slice, args.references) if args.reference_slice else None
        train_references(args.references, families, args.refs, part)
        return

    seed_everything(SEED)
    if os.path.exists(args.source):
        make_split(args.source)
    else:
        print(f"{args.source} not found: reusing the committed split in {DATA}")
    xm, ym = load_xy(os.path.join(DATA, "members.csv"))
    xn, yn = load_xy(os.path.join(DATA, "non-members.csv"))

    results, reference = {}, {
        "note": "PyTorch float32 probabilities of train.py's models for the first rows of each "
                "split; the ONNX models must reproduce them within 1e-5 (check with verify.cjs)",
        "members": xm[:N_REFERENCE_ROWS].astype(int).tolist(),
        "non_members": xn[:N_REFERENCE_ROWS].astype(int).tolist(),
    }
    for name, cfg in FAMILIES:
        if args.only and args.only != name:
            continue
        model, epochs, _ = trainer(cfg)(name, cfg, xm, ym)
        path = os.path.join(HERE, f"{name}.onnx")
        export(model, path)
        with torch.no_grad():
            pm = model(torch.from_numpy(xm)).numpy()
            pn = model(torch.from_numpy(xn)).numpy()
        res = audit(name, pm, ym, pn, yn)
        res["weights_from_epoch"] = epochs
        res["config"] = cfg
        if "noise_multiplier" in cfg:
            res["dp_sgd"] = dp_guarantee(cfg, len(xm))
        res["onnx_bytes"] = os.path.getsize(path)
        results[name] = res
        reference[name] = {"members": pm[:N_REFERENCE_ROWS].tolist(),
                           "non_members": pn[:N_REFERENCE_ROWS].tolist()}
        if args.dump_probs:
            np.save(os.path.join(args.dump_probs, f"{name}-members.npy"), pm)
            np.save(os.path.join(args.dump_probs, f"{name}-non-members.npy"), pn)
    if args.only:  # keep the other models' entries as the last full run wrote them
        for file, new in (("metrics.json", results), ("reference-outputs.json", reference)):
            with open(os.path.join(HERE, file)) as f:
                old = json.load(f)
            old.update({k: v for k, v in new.items() if k in FAMILIES_BY_NAME})
            new.clear()
            new.update(old)
    for file, obj in (("metrics.json", results), ("reference-outputs.json", reference)):
        with open(os.path.join(HERE, file), "w") as f:
            f.write(dumps(obj) + "\n")
    print("\nmodel     train acc  holdout acc  loss AUC  TPR@1%FPR  advantage")
    for name, r in results.items():
        print(f"{name:9s} {r['train_accuracy']:9.4f}  {r['holdout_accuracy']:11.4f}  "
              f"{r['loss_attack_auc']:8.4f}  {r['tpr_at_1pct_fpr']:9.4f}  {r['advantage']:9.4f}")


if __name__ == "__main__":
    main()
