#!/usr/bin/env python3
"""Seconds per SVI step in NumPyro on the reference workloads W2-W5.

The same rows as Gumbo's `gumbo-bench svi`, for quoting Gumbo/NumPyro ratios
measured in the same run. Workloads: ../../shared/BENCHMARKS.md (data from
workloads_data.py). See README.md in this folder.

    python numpyro_svi.py [--workload W2|W3|W4|W5] [--estimator PREFIX]
                          [--repeats R] [--float32] [--json] [--check STEPS]

Two figures per row: "per call", `jax.jit(svi.update)` called from a Python
loop (blocking on each result), and "whole loop", M steps of `svi.update`
compiled into one `jax.lax.scan`, time divided by M; both exclude
compilation, which is reported on its own. With --json the last line of
standard output is one JSON object {"system": "numpyro", "versions": {...},
"rows": [...]}.
"""

import json
import math
import os
import platform
import statistics
import sys
import time

import workloads_data




ARGS = workloads_data.parse_arguments(__doc__)
sys.stdout.reconfigure(encoding="utf-8")  # the table prints µ and →
CORE = workloads_data.pin_to_one_core()  # before the runtime starts its threads

# One thread, set before jax is imported.
_SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + _SINGLE_THREAD).strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax, random  # noqa: E402
from jax.scipy.special import gammaln, logsumexp  # noqa: E402

jax.config.update("jax_enable_x64", not ARGS.float32)

import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.distributions import constraints  # noqa: E402
from numpyro.infer import SVI, Trace_ELBO, TraceEnum_ELBO, TraceGraph_ELBO  # noqa: E402
from numpyro.optim import Adam  # noqa: E402

numpyro.enable_validation(False)

DTYPE = jnp.float32 if ARGS.float32 else jnp.float64
SOFTPLUS_INVERSE_1 = math.log(math.expm1(1.0))  # softplus(s) = 1 at start
NO_BASELINE = "no baseline: NumPyro has none; TraceGraph_ELBO, plain score function"

try:
    import funsor  # noqa: F401  (TraceEnum_ELBO needs it)
    HAVE_FUNSOR = True
except ImportError:
    HAVE_FUNSOR = False


def array(values):
    return jnp.asarray(values, dtype=DTYPE)


# MARK: Straight-through Gumbel-softmax


class RelaxedOneHotCategorical(dist.Distribution):
    """The Concrete / Gumbel-softmax distribution on the simplex (NumPyro has
    only the binary one): sample softmax((log p + Gumbel)/tau); density as
    torch's RelaxedOneHotCategorical (ExpRelaxedCategorical through exp).

    Straight-through is done where the value is used (`straight_through`),
    which is what Pyro's RelaxedOneHotCategoricalStraightThrough amounts to:
    densities of the soft sample, hard one-hot forward, gradient of the soft
    one."""

    arg_constraints = {"temperature": constraints.positive, "logits": constraints.real_vector}
    reparametrized_params = ["temperature", "logits"]
    support = constraints.simplex

    def __init__(self, temperature, logits, *, validate_args=None):
        self.temperature = temperature
        self.logits = logits - logsumexp(logits, axis=-1, keepdims=True)
        shape = jnp.shape(logits)
        super().__init__(batch_shape=shape[:-1], event_shape=shape[-1:], validate_args=validate_args)

    def sample(self, key, sample_shape=()):
        shape = sample_shape + self.batch_shape + self.event_shape
        gumbel = random.gumbel(key, shape, dtype=self.logits.dtype)
        return jax.nn.softmax((self.logits + gumbel) / self.temperature, axis=-1)

    def log_prob(self, value):
        k = self.event_shape[-1]
        tau = self.temperature
        log_y = jnp.log(value)
        score = self.logits - tau * log_y
        score = jnp.sum(score - logsumexp(score, axis=-1, keepdims=True), axis=-1)
        return score + gammaln(k) + (k - 1) * jnp.log(tau) - jnp.sum(log_y, axis=-1)


def straight_through(soft):
    hard = jax.nn.one_hot(jnp.argmax(soft, axis=-1), soft.shape[-1], dtype=soft.dtype)
    return hard + soft - lax.stop_gradient(soft)


# MARK: W2 sprinkler


def sprinkler_rows():
    p_wet = array([[0.01, 0.8], [0.9, 0.99]])

    def model():
        rain = numpyro.sample("rain", dist.Bernoulli(probs=array(0.2)))
        sprinkler = numpyro.sample("sprinkler", dist.Bernoulli(probs=0.01 * rain + 0.4 * (1 - rain)))
        p = p_wet[sprinkler.astype(jnp.int32), rain.astype(jnp.int32)]
        numpyro.sample("wet", dist.Bernoulli(probs=p), obs=array(1.0))

    def guide(infer):
        a = numpyro.param("a", array(0.0))
        b = numpyro.param("b", array(0.0))
        numpyro.sample("rain", dist.Bernoulli(logits=a), infer=dict(infer))
        numpyro.sample("sprinkler", dist.Bernoulli(logits=b), infer=dict(infer))

    rows = []
    if HAVE_FUNSOR:
        rows.append(("W2 sprinkler", "enumerate", "TraceEnum_ELBO, guide sites enumerated in parallel",
                     lambda: (model, lambda: guide({"enumerate": "parallel"}),
                              TraceEnum_ELBO(max_plate_nesting=0), 0.05, ())))
    rows.append(("W2 sprinkler", "reinforce:baseline=ma", NO_BASELINE,
                 lambda: (model, lambda: guide({}), TraceGraph_ELBO(), 0.05, ())))
    return rows


# MARK: W3 gmm


def gmm_model(x, kind):
    with numpyro.plate("components", 3):
        mu = numpyro.sample("mu", dist.Normal(array(0.0), array(10.0)))
    with numpyro.plate("data", x.shape[0]):
        if kind == "st":
            soft = numpyro.sample("z", RelaxedOneHotCategorical(array(0.5), jnp.zeros(3, DTYPE)))
            mean = jnp.sum(straight_through(soft) * mu, axis=-1)
        else:
            z = numpyro.sample("z", dist.Categorical(probs=jnp.full(3, 1.0 / 3, DTYPE)))
            mean = mu[z]
        numpyro.sample("x", dist.Normal(mean, 1.0), obs=x)


def gmm_guide(x, kind):
    n = x.shape[0]
    m = numpyro.param("m", array([-1.0, 0.0, 1.0]))
    s = numpyro.param("s", jnp.full(3, SOFTPLUS_INVERSE_1, DTYPE))
    phi = numpyro.param("phi", jnp.zeros((n, 3), DTYPE))
    with numpyro.plate("components", 3):
        numpyro.sample("mu", dist.Normal(m, jax.nn.softplus(s)))
    with numpyro.plate("data", n):
        if kind == "st":
            numpyro.sample("z", RelaxedOneHotCategorical(array(0.5), phi))
        elif kind == "enumerate":
            numpyro.sample("z", dist.Categorical(logits=phi), infer={"enumerate": "parallel"})
        else:
            numpyro.sample("z", dist.Categorical(logits=phi))


def gmm_rows():
    x = array(workloads_data.mixture(1000, seed=1))

    def make(kind, loss):
        return lambda: (lambda x: gmm_model(x, kind), lambda x: gmm_guide(x, kind), loss, 0.05, (x,))

    rows = []
    if HAVE_FUNSOR:
        rows.append(("W3 gmm", "enumerate", "TraceEnum_ELBO(max_plate_nesting=1), z enumerated in the guide",
                     make("enumerate", TraceEnum_ELBO(max_plate_nesting=1))))
    rows += [
        ("W3 gmm", "reinforce:baseline=ma", NO_BASELINE, make("reinforce", TraceGraph_ELBO())),
        ("W3 gmm", "st-gumbel-softmax:tau=0.5",
         "Trace_ELBO, relaxed one-hot (0.5) in guide and prior, straight-through by stop_gradient",
         make("st", Trace_ELBO())),
    ]
    return rows


# MARK: W4 spikeslab


def spikeslab_model(X, y, kind):
    with numpyro.plate("features", X.shape[1]):
        if kind == "concrete":
            g = numpyro.sample("g", dist.RelaxedBernoulli(array(2.0 / 3.0), probs=array(0.1)))
        else:
            g = numpyro.sample("g", dist.Bernoulli(probs=array(0.1))).astype(DTYPE)
        w = numpyro.sample("w", dist.Normal(array(0.0), array(1.0)))
    with numpyro.plate("data", X.shape[0]):
        numpyro.sample("y", dist.Normal(X @ (g * w), 0.5), obs=y)


def spikeslab_guide(X, y, kind):
    d = X.shape[1]
    theta = numpyro.param("theta", jnp.zeros(d, DTYPE))
    m = numpyro.param("m", jnp.zeros(d, DTYPE))
    s = numpyro.param("s", jnp.full(d, SOFTPLUS_INVERSE_1, DTYPE))
    with numpyro.plate("features", d):
        if kind == "concrete":
            numpyro.sample("g", dist.RelaxedBernoulliLogits(array(2.0 / 3.0), theta))
        else:
            numpyro.sample("g", dist.Bernoulli(logits=theta))
        numpyro.sample("w", dist.Normal(m, jax.nn.softplus(s)))


def spikeslab_rows():
    design, _, responses = workloads_data.spike_and_slab(200, 50, seed=2)
    X, y = array(design), array(responses)

    def make(kind, loss):
        return lambda: (lambda X, y: spikeslab_model(X, y, kind), lambda X, y: spikeslab_guide(X, y, kind),
                        loss, 0.01, (X, y))

    return [
        ("W4 spikeslab", "concrete:tau=0.666667", "Trace_ELBO, RelaxedBernoulli(2/3) in guide and prior",
         make("concrete", Trace_ELBO())),
        ("W4 spikeslab", "reinforce:baseline=ma", NO_BASELINE, make("reinforce", TraceGraph_ELBO())),
    ]


# MARK: W5 dvae


CODES, CLASSES, HIDDEN, PIXELS, BATCH = 8, 8, 128, 64, 100


def dvae_rows():
    images, _ = workloads_data.digits(1500)
    data = array(images)
    enc_w1, enc_w2, dec_w1, dec_w2 = workloads_data.dvae_initial_weights()

    def mlp(prefix, w1, w2, inputs):
        """inputs -> 128 (ReLU) -> 64, plain jnp parameters ([in, out] weights)."""
        v1 = numpyro.param(prefix + ".w1", array(w1))
        c1 = numpyro.param(prefix + ".b1", jnp.zeros(HIDDEN, DTYPE))
        v2 = numpyro.param(prefix + ".w2", array(w2))
        c2 = numpyro.param(prefix + ".b2", jnp.zeros(len(w2[0]), DTYPE))
        return jax.nn.relu(inputs @ v1 + c1) @ v2 + c2

    def make(kind):
        tau = array(1.0)

        def model(data):
            with numpyro.plate("data", data.shape[0], subsample_size=BATCH) as index:
                if kind == "st":
                    soft = numpyro.sample("z", RelaxedOneHotCategorical(
                        tau, jnp.zeros((CODES, CLASSES), DTYPE)).to_event(1))
                    codes = straight_through(soft)
                else:
                    z = numpyro.sample("z", dist.Categorical(
                        probs=jnp.full((CODES, CLASSES), 1.0 / CLASSES, DTYPE)).to_event(1))
                    codes = jax.nn.one_hot(z, CLASSES, dtype=DTYPE)
                logits = mlp("decoder", dec_w1, dec_w2, codes.reshape(codes.shape[:-2] + (CODES * CLASSES,)))
                numpyro.sample("x", dist.Bernoulli(logits=logits).to_event(1), obs=data[index])

        def guide(data):
            with numpyro.plate("data", data.shape[0], subsample_size=BATCH) as index:
                logits = mlp("encoder", enc_w1, enc_w2, data[index]).reshape(-1, CODES, CLASSES)
                if kind == "st":
                    numpyro.sample("z", RelaxedOneHotCategorical(tau, logits).to_event(1))
                else:
                    numpyro.sample("z", dist.Categorical(logits=logits).to_event(1))

        loss = Trace_ELBO() if kind == "st" else TraceGraph_ELBO()
        return model, guide, loss, 1e-3, (data,)

    return [
        ("W5 dvae", "st-gumbel-softmax:tau=1→0.5",
         "Trace_ELBO, relaxed one-hot in guide and prior, straight-through by stop_gradient, timed at tau 1",
         lambda: make("st")),
        ("W5 dvae", "reinforce:baseline=ma", NO_BASELINE, lambda: make("reinforce")),
    ]


# MARK: Timing


def block(x):
    return jax.block_until_ready(x)


def cpu_and_wall(run, repeats):
    """Medians over `repeats` of (process CPU, wall) seconds that `run` takes
    (`run` returns how many steps it made)."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        steps = run()
        cpu.append((time.process_time() - c0) / steps)
        wall.append((time.perf_counter() - w0) / steps)
    return statistics.median(cpu), statistics.median(wall)


def measure(model, guide, loss, learning_rate, args, repeats, warmup):
    svi = SVI(model, guide, Adam(learning_rate), loss)
    state = block(svi.init(random.PRNGKey(0), *args))

    # Per call: jax.jit(svi.update), compiled ahead (timed), called from Python.
    start = time.perf_counter()
    update = jax.jit(svi.update).lower(state, *args).compile()
    compile_call = time.perf_counter() - start
    holder = {"state": state}

    def steps(k):
        s = holder["state"]
        for _ in range(k):
            s, value = update(s, *args)
            block(value)
        holder["state"] = s
        return k

    steps(warmup)
    start = time.process_time()
    steps(5)
    per = (time.process_time() - start) / 5
    k = max(1, round(5e-3 / max(per, 1e-9)))
    call_cpu, call_wall = cpu_and_wall(lambda: steps(k), repeats)

    # Whole loop: M steps of svi.update in one lax.scan.
    m = int(min(10000, max(100, round(2e-2 / max(per, 1e-9)))))

    def loop(s, *args):
        return lax.scan(lambda s, _: svi.update(s, *args), s, None, length=m)

    start = time.perf_counter()
    looped = jax.jit(loop).lower(holder["state"], *args).compile()
    compile_loop = time.perf_counter() - start

    def run_loop():
        s, values = looped(holder["state"], *args)
        block(values)
        holder["state"] = s
        return m

    run_loop()  # warm-up
    loop_cpu, loop_wall = cpu_and_wall(run_loop, repeats)
    return {"seconds_per_step_call": call_cpu, "wall_seconds_per_step_call": call_wall, "steps_per_block": k,
            "seconds_per_step_loop": loop_cpu, "wall_seconds_per_step_loop": loop_wall, "loop_steps": m,
            "compile_seconds": compile_call, "compile_seconds_loop": compile_loop}


def check(model, guide, loss, learning_rate, args, steps):
    svi = SVI(model, guide, Adam(learning_rate), loss)
    state = svi.init(random.PRNGKey(0), *args)
    update = jax.jit(svi.update)
    losses = []
    for _ in range(steps):
        state, value = update(state, *args)
        losses.append(float(value))
    window = max(1, min(20, steps // 5))
    first = sum(losses[:window]) / window
    last = sum(losses[-window:]) / window
    return first, last, all(math.isfinite(v) for v in losses)


def format_seconds(seconds):
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.3f} ms"


def versions():
    import jaxlib
    v = {"python": platform.python_version(), "jax": jax.__version__, "jaxlib": jaxlib.__version__,
         "numpyro": numpyro.__version__, "dtype": jnp.dtype(DTYPE).name, "XLA_FLAGS": os.environ["XLA_FLAGS"],
         "core": "none" if CORE is None else str(CORE)}
    if HAVE_FUNSOR:
        v["funsor"] = funsor.__version__
    return v


def main():
    rows = sprinkler_rows() + gmm_rows() + spikeslab_rows() + dvae_rows()
    rows = [r for r in rows
            if (ARGS.workload is None or r[0].startswith(ARGS.workload))
            and (ARGS.estimator is None or r[1].startswith(ARGS.estimator))]
    v = versions()
    print(f"NumPyro {v['numpyro']}, jax {v['jax']}, {v['dtype']}, XLA_FLAGS={v['XLA_FLAGS']}")
    if not HAVE_FUNSOR:
        print("funsor is not installed: enumeration rows (TraceEnum_ELBO) skipped; pip install funsor")
    if ARGS.check:
        print(f"Loss (negative ELBO estimate), mean of the first and last steps of {ARGS.check}")
        print(f"{'workload':<16}{'estimator':<30}{'first':>14}{'last':>14}  finite")
    else:
        print(f"Seconds per SVI step (process CPU time, median of {ARGS.repeats} repeats, after warm-up); "
              "per call: jit(svi.update) from Python; loop: M steps in one lax.scan")
        print(f"{'workload':<16}{'estimator':<30}{'per call':>12}{'loop':>12}{'M':>6}"
              f"{'compile':>10}{'compile loop':>14}  loss")
    results = []
    for workload, estimator, loss_name, make in rows:
        model, guide, loss, learning_rate, args = make()
        if ARGS.check:
            first, last, finite = check(model, guide, loss, learning_rate, args, ARGS.check)
            print(f"{workload:<16}{estimator:<30}{first:>14.4f}{last:>14.4f}  {finite}")
            results.append({"workload": workload, "estimator": estimator, "steps": ARGS.check,
                            "first_loss": first, "last_loss": last, "finite": finite})
            continue
        r = measure(model, guide, loss, learning_rate, args, ARGS.repeats, ARGS.warmup)
        print(f"{workload:<16}{estimator:<30}{format_seconds(r['seconds_per_step_call']):>12}"
              f"{format_seconds(r['seconds_per_step_loop']):>12}{r['loop_steps']:>6}"
              f"{r['compile_seconds']:>9.2f}s{r['compile_seconds_loop']:>13.2f}s  {loss_name}")
        sys.stdout.flush()
        results.append({"workload": workload, "estimator": estimator, **r, "repeats": ARGS.repeats,
                        "warmup": ARGS.warmup, "implementation": loss_name,
                        "matched": loss_name != NO_BASELINE})
    if ARGS.json:
        print(json.dumps({"system": "numpyro", "versions": v, "rows": results}, ensure_ascii=True))


if __name__ == "__main__":
    main()
