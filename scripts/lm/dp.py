#!/usr/bin/python3
"""DP-SGD for the language-model examples (Abadi et al. 2016), written out by hand: torch 1.13 has
no torch.func, and a loop of per-text backward passes is faster here than functorch's vmap.

A record is one training text. Each step draws a lot by Poisson sampling (every record in with
probability q, the sampling the accountant assumes), takes each record's gradient on its own,
scales it to L2 norm <= clip over all trained parameters, sums, adds N(0, (noise_multiplier *
clip)^2) to every coordinate and divides by the expected lot size q n. What the optimiser then
does with that gradient (momentum, Adam, weight decay, keeping the best epoch by a validation
split the records are not in) is post-processing and costs no privacy.

epsilon() is the RDP accountant (Mironov 2017; Mironov, Talwar and Zhang 2019, section 3.3) for
the Poisson-subsampled Gaussian mechanism; examples/digits/train.py has the same computation
(dp_epsilon) for its image model.
"""
from math import exp, lgamma, log, log1p

import torch


def epsilon(q, noise_multiplier, steps, delta, orders=range(2, 257)):
    """(epsilon, order): the smallest epsilon over the integer RDP orders a of `steps` compositions
    of the Poisson-subsampled Gaussian mechanism at rate q < 1. Its RDP at order a is
    log(A_a) / (a - 1) with A_a = sum_k C(a, k) (1 - q)^(a - k) q^k exp((k^2 - k) / (2 s^2));
    composition adds it over the steps and epsilon = RDP(a) + log(1 / delta) / (a - 1). Computed in
    logs (lgamma) so that large orders do not overflow."""
    if not 0 < q < 1:
        raise ValueError(f"sample rate {q}: Poisson sampling needs 0 < q < 1")
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


def poisson_lot(n, q, generator):
    """Indices of the records in this step's lot: each independently with probability q."""
    return torch.nonzero(torch.rand(n, generator=generator) < q).squeeze(1).tolist()


def private_gradient(params, record_loss, lot, n, q, clip, noise_multiplier, generator):
    """The noisy clipped mean gradient of one lot. record_loss(i) is record i's loss (a scalar
    tensor on params); returns (gradients, mean record loss, share of records clipped)."""
    total = [torch.zeros_like(p) for p in params]
    losses, clipped = [], 0
    for i in lot:
        loss = record_loss(i)
        grads = torch.autograd.grad(loss, params)
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()
        scale = min(1.0, clip / (norm + 1e-12))
        clipped += norm > clip
        for t, g in zip(total, grads):
            t.add_(g, alpha=scale)
        losses.append(loss.item())
    expected = q * n
    out = [(t + torch.randn(t.shape, generator=generator) * (noise_multiplier * clip)) / expected for t in total]
    return out, (sum(losses) / len(losses) if losses else float("nan")), (clipped / len(lot) if lot else 0.0)
