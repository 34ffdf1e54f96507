#!/usr/bin/env python3
"""Seconds per SVI step in Pyro on the reference workloads W2-W5.

The same rows as Gumbo's `gumbo-bench svi`, for quoting Gumbo/Pyro ratios
measured in the same run. Workloads: ../../shared/BENCHMARKS.md (data from
workloads_data.py). See README.md in this folder.

    python pyro_svi.py [--workload W2|W3|W4|W5] [--estimator PREFIX]
                       [--repeats R] [--float32] [--json] [--check STEPS]

With --json the last line of standard output is one JSON object
{"system": "pyro", "versions": {...}, "rows": [...]}.
"""

import json
import math
import platform
import statistics
import sys
import time

import workloads_data




ARGS = workloads_data.parse_arguments(__doc__)
sys.stdout.reconfigure(encoding="utf-8")  # the table prints µ and →
CORE = workloads_data.pin_to_one_core()  # before the runtime starts its threads

import torch  # noqa: E402  (after the arguments, so --help is fast)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import pyro  # noqa: E402
import pyro.distributions as dist  # noqa: E402
from pyro.infer import SVI, Trace_ELBO, TraceEnum_ELBO, TraceGraph_ELBO, config_enumerate  # noqa: E402,F401
from pyro.optim import Adam  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.set_default_dtype(torch.float32 if ARGS.float32 else torch.float64)
pyro.enable_validation(False)

BASELINE = {"baseline": {"use_decaying_avg_baseline": True, "baseline_beta": 0.9}}
SOFTPLUS_INVERSE_1 = math.log(math.expm1(1.0))  # softplus(s) = 1 at start


def tensor(values):
    return torch.tensor(values, dtype=torch.get_default_dtype())


# MARK: W2 sprinkler

P_WET = None


def sprinkler_model():
    rain = pyro.sample("rain", dist.Bernoulli(tensor(0.2)))
    sprinkler = pyro.sample("sprinkler", dist.Bernoulli(0.01 * rain + 0.4 * (1 - rain)))
    p = P_WET[sprinkler.long(), rain.long()]
    pyro.sample("wet", dist.Bernoulli(p), obs=tensor(1.0))


def sprinkler_guide(infer):
    a = pyro.param("a", tensor(0.0))
    b = pyro.param("b", tensor(0.0))
    pyro.sample("rain", dist.Bernoulli(logits=a), infer=dict(infer))
    pyro.sample("sprinkler", dist.Bernoulli(logits=b), infer=dict(infer))


def sprinkler_rows():
    global P_WET
    P_WET = tensor([[0.01, 0.8], [0.9, 0.99]])

    def make(loss, infer):
        svi = SVI(sprinkler_model, lambda: sprinkler_guide(infer), Adam({"lr": 0.05}), loss)
        return svi.step

    return [
        ("W2 sprinkler", "enumerate", "TraceEnum_ELBO, guide sites enumerated in parallel",
         lambda: make(TraceEnum_ELBO(max_plate_nesting=0), {"enumerate": "parallel"})),
        ("W2 sprinkler", "reinforce:baseline=ma", "TraceGraph_ELBO, decaying-average baseline 0.9",
         lambda: make(TraceGraph_ELBO(), BASELINE)),
    ]


# MARK: W3 gmm


def gmm_model(x, kind):
    with pyro.plate("components", 3):
        mu = pyro.sample("mu", dist.Normal(tensor(0.0), tensor(10.0)))
    with pyro.plate("data", x.shape[0]):
        if kind == "st":
            z = pyro.sample("z", dist.RelaxedOneHotCategoricalStraightThrough(
                tensor(0.5), probs=torch.full((3,), 1.0 / 3)))
            mean = (z * mu).sum(-1)
        else:
            z = pyro.sample("z", dist.Categorical(torch.full((3,), 1.0 / 3)))
            mean = mu[z]
        pyro.sample("x", dist.Normal(mean, 1.0), obs=x)


def gmm_guide(x, kind):
    n = x.shape[0]
    m = pyro.param("m", tensor([-1.0, 0.0, 1.0]))
    s = pyro.param("s", torch.full((3,), SOFTPLUS_INVERSE_1))
    phi = pyro.param("phi", torch.zeros(n, 3))
    with pyro.plate("components", 3):
        pyro.sample("mu", dist.Normal(m, F.softplus(s)))
    with pyro.plate("data", n):
        if kind == "st":
            pyro.sample("z", dist.RelaxedOneHotCategoricalStraightThrough(tensor(0.5), logits=phi))
        elif kind == "enumerate":
            pyro.sample("z", dist.Categorical(logits=phi), infer={"enumerate": "parallel"})
        else:
            pyro.sample("z", dist.Categorical(logits=phi), infer=dict(BASELINE))


def gmm_rows():
    x = tensor(workloads_data.mixture(1000, seed=1))

    def make(kind, loss):
        svi = SVI(gmm_model, gmm_guide, Adam({"lr": 0.05}), loss)
        return lambda: svi.step(x, kind)

    return [
        ("W3 gmm", "enumerate", "TraceEnum_ELBO(max_plate_nesting=1), z enumerated in the guide",
         lambda: make("enumerate", TraceEnum_ELBO(max_plate_nesting=1))),
        ("W3 gmm", "reinforce:baseline=ma", "TraceGraph_ELBO, decaying-average baseline 0.9",
         lambda: make("reinforce", TraceGraph_ELBO())),
        ("W3 gmm", "st-gumbel-softmax:tau=0.5",
         "Trace_ELBO, RelaxedOneHotCategoricalStraightThrough(0.5) in guide and prior",
         lambda: make("st", Trace_ELBO())),
    ]


# MARK: W4 spikeslab


def spikeslab_model(X, y, kind):
    d = X.shape[1]
    with pyro.plate("features", d):
        if kind == "concrete":
            g = pyro.sample("g", dist.RelaxedBernoulli(tensor(2.0 / 3.0), probs=tensor(0.1)))
        else:
            g = pyro.sample("g", dist.Bernoulli(tensor(0.1)))
        w = pyro.sample("w", dist.Normal(tensor(0.0), tensor(1.0)))
    with pyro.plate("data", X.shape[0]):
        pyro.sample("y", dist.Normal(X @ (g * w), 0.5), obs=y)


def spikeslab_guide(X, y, kind):
    d = X.shape[1]
    theta = pyro.param("theta", torch.zeros(d))
    m = pyro.param("m", torch.zeros(d))
    s = pyro.param("s", torch.full((d,), SOFTPLUS_INVERSE_1))
    with pyro.plate("features", d):
        if kind == "concrete":
            pyro.sample("g", dist.RelaxedBernoulli(tensor(2.0 / 3.0), logits=theta))
        else:
            pyro.sample("g", dist.Bernoulli(logits=theta), infer=dict(BASELINE))
        pyro.sample("w", dist.Normal(m, F.softplus(s)))


def spikeslab_rows():
    design, _, responses = workloads_data.spike_and_slab(200, 50, seed=2)
    X, y = tensor(design), tensor(responses)

    def make(kind, loss):
        svi = SVI(spikeslab_model, spikeslab_guide, Adam({"lr": 0.01}), loss)
        return lambda: svi.step(X, y, kind)

    return [
        ("W4 spikeslab", "concrete:tau=0.666667", "Trace_ELBO, RelaxedBernoulli(2/3) in guide and prior",
         lambda: make("concrete", Trace_ELBO())),
        ("W4 spikeslab", "reinforce:baseline=ma", "TraceGraph_ELBO, decaying-average baseline 0.9",
         lambda: make("reinforce", TraceGraph_ELBO())),
    ]


# MARK: W5 dvae


CODES, CLASSES, HIDDEN, PIXELS, BATCH = 8, 8, 128, 64, 100


def mlp(w1, w2):
    """64/128 -> 128 (ReLU) -> 64 with Gumbo's initial weights ([in, out] lists)."""
    first, second = nn.Linear(len(w1), HIDDEN), nn.Linear(HIDDEN, len(w2[0]))
    with torch.no_grad():
        first.weight.copy_(tensor(w1).T)
        first.bias.zero_()
        second.weight.copy_(tensor(w2).T)
        second.bias.zero_()
    return nn.Sequential(first, nn.ReLU(), second)


def dvae_rows():
    images, _ = workloads_data.digits(1500)
    data = tensor(images)
    enc_w1, enc_w2, dec_w1, dec_w2 = workloads_data.dvae_initial_weights()

    def make(kind):
        encoder, decoder = mlp(enc_w1, enc_w2), mlp(dec_w1, dec_w2)
        uniform = torch.full((CODES, CLASSES), 1.0 / CLASSES)
        tau = tensor(1.0)

        def model(data):
            pyro.module("decoder", decoder)
            with pyro.plate("data", data.shape[0], subsample_size=BATCH) as index:
                if kind == "st":
                    z = pyro.sample("z", dist.RelaxedOneHotCategoricalStraightThrough(tau, probs=uniform).to_event(1))
                else:
                    z = pyro.sample("z", dist.OneHotCategorical(probs=uniform).to_event(1))
                logits = decoder(z.reshape(z.shape[:-2] + (CODES * CLASSES,)))
                pyro.sample("x", dist.Bernoulli(logits=logits).to_event(1), obs=data[index])

        def guide(data):
            pyro.module("encoder", encoder)
            with pyro.plate("data", data.shape[0], subsample_size=BATCH) as index:
                logits = encoder(data[index]).reshape(-1, CODES, CLASSES)
                if kind == "st":
                    pyro.sample("z", dist.RelaxedOneHotCategoricalStraightThrough(tau, logits=logits).to_event(1))
                else:
                    pyro.sample("z", dist.OneHotCategorical(logits=logits).to_event(1), infer=dict(BASELINE))

        loss = Trace_ELBO() if kind == "st" else TraceGraph_ELBO()
        svi = SVI(model, guide, Adam({"lr": 1e-3}), loss)
        return lambda: svi.step(data)

    return [
        ("W5 dvae", "st-gumbel-softmax:tau=1→0.5",
         "Trace_ELBO, RelaxedOneHotCategoricalStraightThrough, timed at tau 1 (no annealing)",
         lambda: make("st")),
        ("W5 dvae", "reinforce:baseline=ma", "TraceGraph_ELBO, decaying-average baseline 0.9",
         lambda: make("reinforce")),
    ]


# MARK: Timing


def seconds_per_step(step, repeats, warmup, target=5e-3):
    """Median seconds per step (process CPU time and wall clock) over
    `repeats` blocks of k steps, k chosen so a block takes about `target`."""
    for _ in range(warmup):
        step()
    start = time.process_time()
    for _ in range(5):
        step()
    per = (time.process_time() - start) / 5
    k = max(1, round(target / max(per, 1e-9)))
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(k):
            step()
        cpu.append((time.process_time() - c0) / k)
        wall.append((time.perf_counter() - w0) / k)
    return statistics.median(cpu), statistics.median(wall), k


def check(step, steps):
    losses = [step() for _ in range(steps)]
    window = max(1, min(20, steps // 5))
    first = sum(losses[:window]) / window
    last = sum(losses[-window:]) / window
    finite = all(math.isfinite(v) for v in losses)
    return first, last, finite


def format_seconds(seconds):
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.3f} ms"


def versions():
    return {"python": platform.python_version(), "torch": torch.__version__, "pyro": pyro.__version__,
            "dtype": str(torch.get_default_dtype()).replace("torch.", ""),
            "threads": torch.get_num_threads(), "core": "none" if CORE is None else str(CORE)}


def main():
    rows = sprinkler_rows() + gmm_rows() + spikeslab_rows() + dvae_rows()
    rows = [r for r in rows
            if (ARGS.workload is None or r[0].startswith(ARGS.workload))
            and (ARGS.estimator is None or r[1].startswith(ARGS.estimator))]
    v = versions()
    print(f"Pyro {v['pyro']}, torch {v['torch']}, {v['dtype']}, {v['threads']} thread")
    results = []
    if ARGS.check:
        print(f"Loss (negative ELBO estimate), mean of the first and last steps of {ARGS.check}")
        print(f"{'workload':<16}{'estimator':<30}{'first':>14}{'last':>14}  finite")
    else:
        print(f"Seconds per SVI step (median of {ARGS.repeats} repeats of process CPU time, after {ARGS.warmup} warm-up steps)")
        print(f"{'workload':<16}{'estimator':<30}{'s/step (CPU)':>14}{'s/step (wall)':>15}{'k':>5}  loss")
    for workload, estimator, loss_name, make in rows:
        pyro.clear_param_store()
        pyro.set_rng_seed(0)
        step = make()
        if ARGS.check:
            first, last, finite = check(step, ARGS.check)
            print(f"{workload:<16}{estimator:<30}{first:>14.4f}{last:>14.4f}  {finite}")
            results.append({"workload": workload, "estimator": estimator, "steps": ARGS.check,
                            "first_loss": first, "last_loss": last, "finite": finite})
            continue
        cpu, wall, k = seconds_per_step(step, ARGS.repeats, ARGS.warmup)
        print(f"{workload:<16}{estimator:<30}{format_seconds(cpu):>14}{format_seconds(wall):>15}{k:>5}  {loss_name}")
        results.append({"workload": workload, "estimator": estimator, "seconds_per_step": cpu,
                        "wall_seconds_per_step": wall, "steps_per_block": k, "repeats": ARGS.repeats,
                        "warmup": ARGS.warmup, "implementation": loss_name})
        sys.stdout.flush()
    if ARGS.json:
        print(json.dumps({"system": "pyro", "versions": v, "rows": results}, ensure_ascii=True))


if __name__ == "__main__":
    main()
