#!/usr/bin/python3
"""A GPT-2-architecture decoder in plain PyTorch, and its ONNX exports in Hugging Face Optimum's layouts.

The model is GPT-2 (Radford et al. 2019) at a small size: token + learnt position embeddings,
pre-LayerNorm blocks of causal multi-head self-attention and a 4x MLP with GELU (tanh form, GPT-2's
"gelu_new"), a final LayerNorm and an output layer tied to the token embedding.

forward(input_ids [b,s], attention_mask [b,past+s], position_ids [b,s], past) returns the logits
[b,s,vocab] and the present key/value pairs [b,heads,past+s,head_dim] per layer. A key is visible
to a query when it is not in the future (causal) and its attention_mask entry is 1, so left padding
with mask 0 and position ids counted from the first real token leaves every real row unchanged.

Exports (all axes dynamic: batch, sequence, past):
- `export_cache`: Optimum's decoder-with-past: inputs input_ids, attention_mask, position_ids,
  past_key_values.{i}.key/.value → logits, present.{i}.key/.value.
- `export_nocache`: input_ids, attention_mask → logits (position ids computed from the mask).
- `export_merged`: Optimum's merged decoder: the inputs of the cache layout plus use_cache_branch
  (bool [1]); an ONNX If node runs the with-past graph when true and the no-past graph (the past
  inputs ignored, attention_mask's last `sequence` columns used) when false. Both branches read
  the same weights, stored once in the outer graph.
"""
import hashlib
import math

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

OPSET = 14


class Config:
    def __init__(self, vocab, layers=2, heads=2, dim=16, context=64, dropout=0.0):
        self.vocab, self.layers, self.heads, self.dim, self.context, self.dropout = vocab, layers, heads, dim, context, dropout

    def as_dict(self):
        return dict(vocab=self.vocab, layers=self.layers, heads=self.heads, dim=self.dim, context=self.context, dropout=self.dropout)


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.heads, self.head_dim = cfg.heads, cfg.dim // cfg.heads
        self.ln_1 = nn.LayerNorm(cfg.dim)
        self.c_attn = nn.Linear(cfg.dim, 3 * cfg.dim)
        self.c_proj = nn.Linear(cfg.dim, cfg.dim)
        self.ln_2 = nn.LayerNorm(cfg.dim)
        self.c_fc = nn.Linear(cfg.dim, 4 * cfg.dim)
        self.mlp_proj = nn.Linear(4 * cfg.dim, cfg.dim)
        self.drop = nn.Dropout(cfg.dropout)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, allowed, past_key, past_value):
        q, k, v = self.c_attn(self.ln_1(x)).split(x.shape[-1], dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        k = torch.cat([past_key, k], dim=2)
        v = torch.cat([past_value, v], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        # masked_fill (not an additive mask): a fully masked row (a padding query) gets a uniform
        # distribution instead of NaN, and nothing overflows.
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        attn = self.drop(torch.softmax(scores, dim=-1))
        h = torch.matmul(attn, v).transpose(1, 2).reshape(x.shape)
        x = x + self.drop(self.c_proj(h))
        x = x + self.drop(self.mlp_proj(gelu(self.c_fc(self.ln_2(x)))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab, cfg.dim)
        self.wpe = nn.Embedding(cfg.context, cfg.dim)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.ln_f = nn.LayerNorm(cfg.dim)
        self.drop = nn.Dropout(cfg.dropout)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2's scaled init of the residual projections
            if name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg.layers))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def empty_past(self, batch):
        shape = (batch, self.cfg.heads, 0, self.cfg.dim // self.cfg.heads)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in range(self.cfg.layers)]

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        b, s = input_ids.shape
        if past is None:
            past = self.empty_past(b)
        total = past[0][0].shape[2] + s
        if attention_mask is None:
            attention_mask = torch.ones((b, total), dtype=torch.int64)
        if position_ids is None:
            position_ids = positions_from_mask(attention_mask)[:, -s:]
        query_at = torch.arange(s) + (total - s)
        causal = torch.arange(total)[None, :] <= query_at[:, None]  # [s, total]
        allowed = causal[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        x = self.drop(self.wte(input_ids) + self.wpe(position_ids))
        presents = []
        for block, (pk, pv) in zip(self.blocks, past):
            x, k, v = block(x, allowed, pk, pv)
            presents.append((k, v))
        logits = F.linear(self.ln_f(x), self.wte.weight)
        return logits, presents


def positions_from_mask(attention_mask):
    """Position ids counted from each row's first real token (what generate() does for left padding)."""
    return (torch.cumsum(attention_mask, dim=1) - 1).clamp(min=0)


# ------------------------------------------------------------------------------------ export

class _CacheWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        return (logits,) + tuple(t for kv in presents for t in kv)


class _NoPastWrapper(nn.Module):
    """The merged decoder's else branch: no past; the last `s` columns of the mask are this input's."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        mask = attention_mask[:, -input_ids.shape[1]:]
        logits, presents = self.model(input_ids, mask, position_ids, None)
        return (logits,) + tuple(t for kv in presents for t in kv)


class _NoCacheWrapper(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask, None, None)[0]


def past_names(layers):
    return [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


def present_names(layers):
    return [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]


def _dummy(model, batch=2, seq=3, past=2):
    cfg = model.cfg
    ids = torch.randint(0, cfg.vocab, (batch, seq), generator=torch.Generator().manual_seed(0))
    mask = torch.ones((batch, past + seq), dtype=torch.int64)
    pos = torch.arange(past, past + seq).repeat(batch, 1)
    kv = [torch.zeros((batch, cfg.heads, past, cfg.dim // cfg.heads)) for _ in range(2 * cfg.layers)]
    return ids, mask, pos, kv


def _cache_axes(layers):
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for name in past_names(layers):
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present_names(layers):
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    return axes


def compact(path):
    """Shorten the exporter's internal value and node names ("/model/blocks.0/Constant_3_output_0")
    to t0, t1, ...: the same graph in about half the bytes. Graph inputs, outputs and weights keep
    their names."""
    m = onnx.load(path)
    g = m.graph
    keep = {v.name for v in g.input} | {v.name for v in g.output} | {i.name for i in g.initializer}
    rename = {}
    for node in g.node:
        node.name = ""
        for i, n in enumerate(node.output):
            if n not in keep:
                rename.setdefault(n, f"t{len(rename)}")
                node.output[i] = rename[n]
        for i, n in enumerate(node.input):
            node.input[i] = rename.get(n, n)
    del g.value_info[:]
    onnx.save(m, path)


def export_cache(model, path):
    model.eval()
    ids, mask, pos, past = _dummy(model)
    layers = model.cfg.layers
    torch.onnx.export(
        _CacheWrapper(model), (ids, mask, pos, *past), path,
        input_names=["input_ids", "attention_mask", "position_ids"] + past_names(layers),
        output_names=["logits"] + present_names(layers),
        dynamic_axes=_cache_axes(layers), opset_version=OPSET, do_constant_folding=False,
    )
    compact(path)


def export_nocache(model, path):
    model.eval()
    ids, _, _, _ = _dummy(model)
    torch.onnx.export(
        _NoCacheWrapper(model), (ids, torch.ones_like(ids)), path,
        input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"},
        },
        opset_version=OPSET, do_constant_folding=False,
    )
    compact(path)


def _branch(graph, prefix, outer_initializers, outer_names):
    """Turn an exported graph into an If branch: graph inputs become outer-scope references,
    initializers move to the outer graph (deduplicated by content), every other name is prefixed."""
    keep = {i.name for i in graph.input}
    rename = {}
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        digest = hashlib.sha256(f"{array.dtype}{array.shape}".encode() + array.tobytes()).hexdigest()
        if digest not in outer_names:
            outer_names[digest] = f"w_{len(outer_names)}_{init.name}".replace("::", "_")
            moved = onnx.TensorProto()
            moved.CopyFrom(init)
            moved.name = outer_names[digest]
            outer_initializers.append(moved)
        rename[init.name] = outer_names[digest]
    outputs = [o.name for o in graph.output]

    def name(n):
        if n == "" or n in keep:
            return n
        if n in rename:
            return rename[n]
        return prefix + n

    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.name = prefix + node.name if node.name else ""
        copy.input[:] = [name(n) for n in node.input]
        copy.output[:] = [name(n) for n in node.output]
        nodes.append(copy)
    branch_outputs = []
    for o in graph.output:
        vi = onnx.ValueInfoProto()
        vi.CopyFrom(o)
        vi.name = name(o.name)
        branch_outputs.append(vi)
    return helper.make_graph(nodes, prefix.rstrip("/"), [], branch_outputs), outputs


def export_merged(model, path, workdir):
    """Optimum's merged decoder (decoder_model_merged.onnx): one file, an If on use_cache_branch."""
    import os
    model.eval()
    layers = model.cfg.layers
    with_past_path = os.path.join(workdir, "_with_past.onnx")
    no_past_path = os.path.join(workdir, "_no_past.onnx")
    export_cache(model, with_past_path)
    ids, mask, pos, _ = _dummy(model, past=0)
    torch.onnx.export(
        _NoPastWrapper(model), (ids, mask, pos), no_past_path,
        input_names=["input_ids", "attention_mask", "position_ids"],
        output_names=["logits"] + present_names(layers),
        dynamic_axes={k: v for k, v in _cache_axes(layers).items() if not k.startswith("past")},
        opset_version=OPSET, do_constant_folding=False,
    )
    compact(no_past_path)
    with_past = onnx.load(with_past_path)
    no_past = onnx.load(no_past_path)
    os.remove(with_past_path)
    os.remove(no_past_path)
    initializers, seen = [], {}
    then_graph, outputs = _branch(with_past.graph, "with_past/", initializers, seen)
    else_graph, _ = _branch(no_past.graph, "no_past/", initializers, seen)
    use_cache = helper.make_tensor_value_info("use_cache_branch", onnx.TensorProto.BOOL, [1])
    if_node = helper.make_node("If", ["use_cache_branch"], outputs, name="optimum::if",
                               then_branch=then_graph, else_branch=else_graph)
    graph = helper.make_graph([if_node], "merged_decoder", list(with_past.graph.input) + [use_cache],
                              list(with_past.graph.output), initializer=initializers)
    merged = helper.make_model(graph, opset_imports=with_past.opset_import, producer_name="scripts/lm/gpt.py")
    merged.ir_version = with_past.ir_version
    onnx.checker.check_model(merged)
    onnx.save(merged, path)
