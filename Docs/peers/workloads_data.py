"""Benchmark data of ../../shared/BENCHMARKS.md (W3, W4, W5), in plain Python.

No dependencies beyond the standard library. The generators follow the Swift
sources bit for bit:

- SplitMix64 and its benchmark normal (``BenchmarkData.swift``): W3 and W4.
- ``SyntheticDigits`` (``Sources/GumboWorkloads/Data/SyntheticDigits.swift``),
  which draws each image from ``Xoshiro256StarStar(seed: 5).stream(n)``: W5.
- the Glorot-uniform initial weights of ``DiscreteVAE.swift`` (SplitMix64,
  seeds 17 for the decoder and 18 for the encoder), stored as [in, out]
  row-major like Gumbo's ``linear(x, weights:)``.

Run ``python workloads_data.py`` to print a few checksums.
"""

import math
import os

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        u1 = self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    """Gumbo's sampling generator, seeded through SplitMix64."""

    def __init__(self, seed):
        self.seed = seed & MASK
        mixer = SplitMix64(seed)
        self.s = [mixer.next(), mixer.next(), mixer.next(), mixer.next()]

    def next(self):
        s = self.s
        result = (_rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def stream(self, index):
        mixer = SplitMix64(self.seed ^ 0xD1B54A32D192ED03)
        mixer.next()
        child = SplitMix64((mixer.next() + index * 0x9E3779B97F4A7C15) & MASK)
        return Xoshiro256StarStar(child.next())

    # The helpers of SyntheticDigits.swift.
    def uniform_below(self, n):
        return (self.next() * n) >> 64

    def bernoulli(self, p):
        return (self.next() >> 11) * 2.0 ** -53 < p

    def shift(self, p):
        if not self.bernoulli(p):
            return 0
        return 1 if self.bernoulli(0.5) else -1


# MARK: W3 and W4


def mixture(count=1000, seed=1):
    """W3: x_i = centre[i % 3] + normal(), centres [-4, 0, 4]."""
    centres = [-4.0, 0.0, 4.0]
    rng = SplitMix64(seed)
    return [centres[i % 3] + rng.normal() for i in range(count)]


def spike_and_slab(count=200, features=50, seed=2):
    """W4: (X as a list of rows, true weights, y)."""
    rng = SplitMix64(seed)
    design = [[rng.normal() for _ in range(features)] for _ in range(count)]
    weights = [0.0] * features
    for index, value in [(0, 2.0), (10, -2.0), (20, 1.5), (30, -1.5), (40, 1.0)]:
        if index < features:
            weights[index] = value
    responses = []
    for row in design:
        mean = 0.0
        for a, b in zip(row, weights):
            mean += a * b
        responses.append(mean + 0.5 * rng.normal())
    return design, weights, responses


# MARK: W5


SIDE = 8
DIGIT_SEED = 5
TEST_NUMBER_OFFSET = 1 << 32

GLYPHS = [
    [".###.", "#...#", "#...#", "#...#", "#...#", ".###."],  # 0
    ["..#..", ".##..", "..#..", "..#..", "..#..", ".###."],  # 1
    [".###.", "#...#", "...#.", "..#..", ".#...", "#####"],  # 2
    ["####.", "....#", ".###.", "....#", "....#", "####."],  # 3
    ["#..#.", "#..#.", "#####", "...#.", "...#.", "...#."],  # 4
    ["#####", "#....", "####.", "....#", "....#", "####."],  # 5
    [".###.", "#....", "####.", "#...#", "#...#", ".###."],  # 6
    ["#####", "....#", "...#.", "..#..", "..#..", "..#.."],  # 7
    [".###.", "#...#", ".###.", "#...#", "#...#", ".###."],  # 8
    [".###.", "#...#", "#...#", ".####", "....#", ".###."],  # 9
]


def _template(rows):
    image = [0] * (SIDE * SIDE)
    for r, line in enumerate(rows):
        for c, ch in enumerate(line):
            if ch == "#":
                image[(r + 1) * SIDE + c + 1] = 1
    return image


TEMPLATES = [_template(rows) for rows in GLYPHS]


def digit_image(number, seed=DIGIT_SEED, flip=0.04, breaks=0.15, shift=0.25):
    """Image ``number`` of ``seed``: (64 pixels as 0/1, digit)."""
    rng = Xoshiro256StarStar(seed).stream(number)
    digit = rng.uniform_below(10)
    dx = rng.shift(shift)
    dy = rng.shift(shift)
    strokes = list(TEMPLATES[digit])
    pen = rng.uniform_below(4)
    if pen == 0:
        for d in range(len(strokes)):
            if strokes[d] == 1 and rng.bernoulli(breaks):
                strokes[d] = 0
    else:
        offsets = [(0, 1), (1, 0), (1, 1)] if pen == 3 else [(0, 1)]
        template = list(strokes)
        for down, right in offsets:
            for row in range(SIDE - down):
                for column in range(SIDE - right):
                    if template[row * SIDE + column] == 1:
                        strokes[(row + down) * SIDE + column + right] = 1
    pixels = [0] * (SIDE * SIDE)
    for row in range(SIDE):
        for column in range(SIDE):
            if strokes[row * SIDE + column] == 1:
                y, x = row + dy, column + dx
                if 0 <= y < SIDE and 0 <= x < SIDE:
                    pixels[y * SIDE + x] = 1
    for d in range(len(pixels)):
        if rng.bernoulli(flip):
            pixels[d] ^= 1
    return pixels, digit


def digits(count=1500, seed=DIGIT_SEED, first_number=0):
    """Images ``first_number ..< first_number + count``: (list of 64-pixel rows, labels)."""
    images, labels = [], []
    for k in range(count):
        pixels, digit = digit_image(first_number + k, seed)
        images.append(pixels)
        labels.append(digit)
    return images, labels


def dvae_initial_weights(pixels=64, hidden=128, codes=8, classes=8):
    """DiscreteVAE.swift's initial weights, each [in, out]:
    (encoder w1, encoder w2, decoder w1, decoder w2); biases start at 0."""
    decoder = SplitMix64(17)
    encoder = SplitMix64(18)

    def draw(rng, fan_in, fan_out):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        flat = [limit * (2.0 * rng.uniform() - 1.0) for _ in range(fan_in * fan_out)]
        return [flat[i * fan_out:(i + 1) * fan_out] for i in range(fan_in)]

    dec_w1 = draw(decoder, codes * classes, hidden)
    dec_w2 = draw(decoder, hidden, pixels)
    enc_w1 = draw(encoder, pixels, hidden)
    enc_w2 = draw(encoder, hidden, codes * classes)
    return enc_w1, enc_w2, dec_w1, dec_w2


def pin_to_one_core():
    """Runs this process on one core, the lowest it may use, and with it every
    thread its runtime starts later (call it before importing torch or jax).

    The runtimes start helper threads; on a machine with a core to spare they
    run beside the step, and their CPU time counts in the process's, which
    inflated NumPyro's per-call step by up to 60 % (and its wall time by about
    15 %) on a 2-core machine. Pinned, process CPU time and wall time agree.
    Returns the core, or None where the system has no affinity call or
    GUMBO_PEERS_NO_PIN is set."""
    if os.environ.get("GUMBO_PEERS_NO_PIN") or not hasattr(os, "sched_setaffinity"):
        return None
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def parse_arguments(doc, argv=None):
    """The options both peer scripts take (their first paragraph of `doc` as the description)."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--workload", help="only rows whose workload starts with this (W2 ... W5)")
    parser.add_argument("--estimator", help="only rows whose estimator starts with this")
    parser.add_argument("--repeats", type=int, default=21, help="timed repeats per row and figure (default 21)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps before timing (default 20)")
    parser.add_argument("--float32", action="store_true", help="single precision (default: float64, as Gumbo)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--check", type=int, default=0, metavar="STEPS",
                        help="instead of timing: run STEPS steps per row and print the loss at the start and end")
    return parser.parse_args(argv)


if __name__ == "__main__":
    x = mixture()
    print("W3 x[0:3]", x[:3], "mean", sum(x) / len(x))
    X, w, y = spike_and_slab()
    print("W4 X[0][0:3]", X[0][:3], "y[0:3]", y[:3])
    images, labels = digits(20)
    print("W5 labels[0:20]", labels)
    for r in range(SIDE):
        print("   ", "".join("#" if p else "." for p in images[0][r * SIDE:(r + 1) * SIDE]))
    print("W5 mean ink of 1500 training images", sum(map(sum, digits()[0])) / (1500 * 64))
