#!/usr/bin/env python3
"""make-report's training against JAX's, side by side on the same cores (issue 26, section 2).

    scripts/bench_peers.sh [--rounds N] [--binary PATH] [--skip-check | --check-only]

(`make bench-peers` builds make-report in release and runs it; scripts/bench_peers.sh makes the venv
.build-peers/ with the pinned jax[cpu] and numpy of scripts/bench_peers_requirements.txt.) Optional,
not in CI, not a dependency of the tool or of `swift test`.

The three workloads of issue 26's table, engine only (training and its evaluation, no report):
  - the reference study's training: 81 runs, MLPs of one hidden layer of 32, 64 and 128 units, 9
    poison fractions x 3 seeds, on the 350 training rows of the reference Gaussian clusters;
  - 4 runs of two 256 layers and 12 runs of one 512 layer, on 3,500 training rows of the same
    clusters drawn with 5,000 samples (`make-report bench`'s `deepAndWideNetworks`).
Every network has 10 inputs and 5 classes (ReLU hidden layers, softmax cross-entropy) and trains by
plain mini-batch SGD: 200 epochs, batches of 64 rows (the last partial batch of an epoch kept: 350 =
5 x 64 + 30, 3,500 = 54 x 64 + 44), one step θ ← θ − 0.05 · ∇ of the batch-mean loss per batch,
float32; PyTorch's default initialisation U(±1/√fan-in) for weights and biases.

The JAX side does that arithmetic: per run the same layer shapes, rows, batches, epochs and one SGD
step per batch; the runs of one shape batched with `jax.vmap`, the epochs under one `jax.jit`
(`lax.scan` over epochs, and over an epoch's full batches, then the partial batch's step), the
train and test accuracies computed after training as make-report computes them. Compile time is
excluded: each workload's function is called once untimed, then timed to `block_until_ready`. JAX
runs on the 2 cores make-report uses: this process pins itself (and so its children) to 2 CPUs
(`sched_setaffinity`; XLA's CPU thread pool then keeps 2 threads busy) and make-report runs with
`--threads 2`.

How it differs from make-report's training, and why the arithmetic is the same:
  - Poisoning is not timed: each run's labels are flipped with NumPy before the timed call (make-report
    times its random label flips, a few hundred integer draws per run). Labels change which class's
    logit gets −1 in dL/dz, never how many operations a step takes.
  - The per-epoch row orders are drawn with NumPy before the timed call (make-report's Fisher-Yates
    pass, 350 or 3,500 integer draws an epoch, is timed); the timed call gathers each epoch's rows
    in that order, as make-report gathers each batch's rows. Another order is another permutation
    of the same rows: the same steps.
  - The initial weights are drawn with NumPy, not make-report's Xoshiro256** stream: other values
    of the same distribution, the same operations.
  - XLA's dot products sum in another order than make-report's kernels (and JAX's
    `value_and_grad` skips dx of the first layer as make-report does): the same multiply-adds in
    another order, float32 throughout; the losses agree to rounding (the check below).
  - make-report's time includes starting and joining its worker threads, packing the small
    networks' runs into SIMD lanes and a third accuracy (the training rows against their true
    labels, one more forward pass over them: under 0.2% of 200 epochs' work), JAX's its dispatch
    of three jitted calls for the reference study (one per width): overheads of milliseconds.
GFLOP counts are make-report's own (`BenchFLOPs.networkEpoch`): per training row and epoch a
multiply-add (2 FLOPs) per weight forward and two backward (dW and dx; the first layer has no dx),
so GFLOP/s compare. The script checks its count against the GFLOP/s make-report prints.

The check (run first unless --skip-check): a small network (10 → 16 → 8 → 5, two hidden layers so
that the hidden-to-hidden product's backward is covered) trained by make-report (`make-report run`
on a study file of one run, fraction 0, seed 42) and by the JAX function above from the same data
(the reference clusters, drawn here with NumPy's RandomState as make-report draws them), the same
initial weights and the same per-epoch row orders (make-report's Xoshiro256** streams "init" and
"shuffle" of seed 42, ported below): the mean training loss of the last epoch (results.json's
`finalLoss`) after 1 and after 20 epochs must agree to 1e-5 (they agree to about 1e-7; a learning
rate 0.2% off moves the 20-epoch loss by 4.5e-4), and so must the train and test accuracies.

Output: one Markdown table (workload, runs, GFLOP; make-report's and JAX's wall seconds, the median
of the rounds with their range, GFLOP/s and CPU seconds, user + system of all threads, the median;
the ratios JAX / make-report of the wall and of the CPU seconds, above 1 where make-report is
ahead), with the date, `uptime`'s load average before and after, the CPU model and the versions.
On a loaded machine wall time measures each side's share of the cores as much as its speed; CPU time
moves less with the load (it still includes cache misses caused by other processes, and any
spinning of idle worker threads). make-report's CPU seconds are read from /proc/PID/stat when each
row is printed (10 ms ticks), JAX's with `time.process_time`.
The rounds alternate which side goes first, so that a drift in the machine's speed falls on both.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

import numpy as np

# The cores both sides use, chosen before jax is imported (its CPU thread pool sizes itself by them).
CORES = 2
_allowed = sorted(os.sched_getaffinity(0))
PINNED = _allowed[:CORES]
os.sched_setaffinity(0, PINNED)

import jax  # noqa: E402  (after pinning)
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

FEATURES, CLASSES = 10, 5
EPOCHS, BATCH, LEARNING_RATE = 200, 64, 0.05
MASK64 = (1 << 64) - 1

# Each workload: its name, make-report bench's row prefix, the data's samples (70% train), and its
# runs as (hidden widths, fractions, seeds); runs = fractions x seeds per model.
REFERENCE_FRACTIONS = [0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50]
WORKLOADS = [
    ("Reference study, training (81 runs, MLP 32/64/128, 350 rows)", "Default study, engine only", 500,
     [([width], REFERENCE_FRACTIONS, [42, 123, 7]) for width in (32, 64, 128)]),
    ("12 runs, one 512 layer, 3,500 rows", "12 runs, one 512 layer", 5000, [([512], [0, 0.1, 0.2], [1, 2, 3, 4])]),
    ("4 runs, two 256 layers, 3,500 rows", "4 runs, two 256 layers", 5000, [([256, 256], [0, 0.1], [1, 2])]),
]


def network_epoch_flops(hidden, rows):
    """make-report's `BenchFLOPs.networkEpoch`: (6 · Σ inputs·outputs − 2 · the first layer's) · rows."""
    sizes = [FEATURES] + hidden + [CLASSES]
    multiply_adds = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return (6 * multiply_adds - 2 * FEATURES * sizes[1]) * rows


# --- The reference data, drawn as make-report's GaussianClusters draws them ---------------------

def gaussian_clusters(samples, features=FEATURES, classes=CLASSES, cluster_std=2.0, center_scale=2.0,
                      train_fraction=0.7, seed=42):
    """make-report's split of its Gaussian clusters: ((train x, train y), (test x, test y)), float32."""
    random = np.random.RandomState(seed)
    centers = random.randn(classes, features) * center_scale
    rows, labels = [], []
    for label in range(classes):
        block = samples // classes + (1 if label < samples % classes else 0)
        rows.append((random.randn(block, features) * cluster_std + centers[label]).astype(np.float32))
        labels.append(np.full(block, label, dtype=np.int32))
    x, y = np.concatenate(rows), np.concatenate(labels)
    order = random.permutation(samples)
    x, y = x[order], y[order]
    split = np.random.RandomState(seed).permutation(samples)
    train = int(round(train_fraction * samples))
    return (x[split[:train]], y[split[:train]]), (x[split[train:]], y[split[train:]])


# --- make-report's Xoshiro256** streams, for the check's initial weights and row orders -----------

class Xoshiro256StarStar:
    """make-report's `Xoshiro256StarStar(seed:purpose:)`: SplitMix64 of seed ^ FNV-1a(purpose) fills the state."""

    def __init__(self, seed, purpose):
        mixer = seed ^ self.fnv1a64(purpose)
        state = []
        for _ in range(4):
            mixer = (mixer + 0x9E3779B97F4A7C15) & MASK64
            z = mixer
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def fnv1a64(text):
        value = 0xCBF29CE484222325
        for byte in text.encode():
            value = ((value ^ byte) * 0x100000001B3) & MASK64
        return value

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK64

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_int(self, bound):
        """Lemire's unbiased multiply-and-reject, as `nextInt(below:)`."""
        product = self.next() * bound
        if product & MASK64 < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK64 < threshold:
                product = self.next() * bound
        return product >> 64

    def next_unit_float(self):
        return np.float32(self.next() >> 40) * np.float32(2.0 ** -24)


def exact_initial_parameters(hidden, seed):
    """`NetworkParameters.pytorchDefault`: per layer W[o, i] o-major then the bias, bound·(2u − 1) in
    float32, bound = 1/√fan-in; returned as [(W [in x out], b [out])]."""
    stream = Xoshiro256StarStar(seed, "init")
    sizes = [FEATURES] + hidden + [CLASSES]
    layers = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = np.float32(1) / np.sqrt(np.float32(fan_in))
        draw = lambda count: np.array([bound * (np.float32(2) * stream.next_unit_float() - np.float32(1))
                                       for _ in range(count)], dtype=np.float32)
        weights = draw(fan_out * fan_in).reshape(fan_out, fan_in).T.copy()
        layers.append((weights, draw(fan_out)))
    return layers


def exact_orders(rows, epochs, seed):
    """make-report's per-epoch Fisher-Yates pass over the previous order, from the stream "shuffle"."""
    stream = Xoshiro256StarStar(seed, "shuffle")
    order = list(range(rows))
    orders = np.empty((epochs, rows), dtype=np.int32)
    for epoch in range(epochs):
        for index in range(rows - 1, 0, -1):
            other = stream.next_int(index + 1)
            order[index], order[other] = order[other], order[index]
        orders[epoch] = order
    return orders


# --- The JAX workload ------------------------------------------------------------------------------

def make_trainer(rows, epochs):
    """A jitted function training a vmapped batch of runs: (parameters, x, labels [runs, rows],
    orders [runs, epochs, rows], test x, test y) → (parameters, epoch losses [runs, epochs], train and
    test accuracy [runs])."""
    full = rows // BATCH
    rest = rows - full * BATCH

    def forward(parameters, x):
        h = x
        for weights, bias in parameters[:-1]:
            h = jax.nn.relu(h @ weights + bias)
        weights, bias = parameters[-1]
        return h @ weights + bias

    def loss(parameters, x, y):
        # The batch-mean softmax cross-entropy, and the sum of the rows' losses for the epoch's mean.
        row_losses = -jnp.take_along_axis(jax.nn.log_softmax(forward(parameters, x)), y[:, None], axis=1)[:, 0]
        return row_losses.mean(), row_losses.sum()

    def step(parameters, batch):
        x, y = batch
        (_, total), gradient = jax.value_and_grad(loss, has_aux=True)(parameters, x, y)
        return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, parameters, gradient), total

    def train(parameters, x, y, orders, test_x, test_y):
        def epoch(parameters, order):
            xe, ye = x[order], y[order]
            parameters, totals = lax.scan(step, parameters, (xe[:full * BATCH].reshape(full, BATCH, -1),
                                                             ye[:full * BATCH].reshape(full, BATCH)))
            total = totals.sum()
            if rest:
                parameters, last = step(parameters, (xe[full * BATCH:], ye[full * BATCH:]))
                total = total + last
            return parameters, total / rows
        parameters, losses = lax.scan(epoch, parameters, orders)
        accuracy = lambda inputs, labels: (forward(parameters, inputs).argmax(axis=1) == labels).mean()
        return parameters, losses, accuracy(x, y), accuracy(test_x, test_y)

    return jax.jit(jax.vmap(train, in_axes=(0, None, 0, 0, None, None)))


def flipped_labels(labels, fraction, seed):
    """Random label flips: round(fraction · n) rows, each to a random other class (not timed)."""
    random = np.random.default_rng(seed)
    flipped = labels.copy()
    rows = random.choice(len(labels), int(round(fraction * len(labels))), replace=False)
    flipped[rows] = (flipped[rows] + random.integers(1, CLASSES, len(rows))) % CLASSES
    return flipped


def prepare_workload(samples, groups):
    """Per group of one shape: the jitted trainer and its arguments (everything drawn before timing)."""
    (train_x, train_y), (test_x, test_y) = gaussian_clusters(samples)
    rows = len(train_y)
    prepared = []
    for hidden, fractions, seeds in groups:
        runs = [(fraction, seed) for fraction in fractions for seed in seeds]
        random = np.random.default_rng(hidden[0] * 1000 + len(runs))
        sizes = [FEATURES] + hidden + [CLASSES]
        parameters = []
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            bound = 1 / np.sqrt(fan_in)
            parameters.append((random.uniform(-bound, bound, (len(runs), fan_in, fan_out)).astype(np.float32),
                               random.uniform(-bound, bound, (len(runs), fan_out)).astype(np.float32)))
        labels = np.stack([flipped_labels(train_y, fraction, seed) for fraction, seed in runs])
        orders = np.stack([np.stack([random.permutation(rows) for _ in range(EPOCHS)]) for _ in runs]).astype(np.int32)
        arguments = [jax.device_put(a) for a in (parameters, train_x, labels, orders, test_x, test_y)]
        prepared.append((make_trainer(rows, EPOCHS), arguments))
    flops = sum(network_epoch_flops(hidden, rows) * EPOCHS * len(fractions) * len(seeds) for hidden, fractions, seeds in groups)
    runs = sum(len(fractions) * len(seeds) for _, fractions, seeds in groups)
    return prepared, flops, runs


def run_jax(prepared):
    """Wall and CPU seconds (this process's threads, user + system) of one call of every group's
    trainer, each waited for."""
    start, start_cpu = time.perf_counter(), time.process_time()
    for trainer, arguments in prepared:
        jax.block_until_ready(trainer(*arguments))
    return time.perf_counter() - start, time.process_time() - start_cpu


# --- make-report's side ----------------------------------------------------------------------------

def process_cpu_seconds(pid):
    """User + system CPU seconds of every thread of process `pid` so far (/proc/PID/stat, in clock ticks)."""
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_make_report(binary):
    """One `make-report bench --engine-only --repetitions 1 --threads 2`, read line by line until the
    rows of the three workloads are printed (the rest of --engine-only's tables are then cut short by
    SIGTERM, which the bench handles by removing its scratch folder): {row prefix: (runs, seconds,
    GFLOP/s, CPU seconds)}. A row's CPU seconds are the child's between the line before it that this
    reads (the machine line, or the previous row) and the row: its training, and the few
    milliseconds of drawing the workload's data and printing."""
    command = ["stdbuf", "-oL", binary, "bench", "--engine-only", "--repetitions", "1", "--threads", str(CORES)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    found, lines, last_cpu = {}, [], None
    prefixes = [prefix for _, prefix, _, _ in WORKLOADS]
    try:
        for line in child.stdout:
            lines.append(line)
            cpu = process_cpu_seconds(child.pid)
            if line.startswith("Machine: "):
                last_cpu = cpu
            for prefix in prefixes:
                if line.startswith("| " + prefix) and last_cpu is not None:
                    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                    found[prefix] = (int(cells[1]), float(cells[2]), float(cells[4]), cpu - last_cpu)
                    last_cpu = cpu
            if len(found) == len(prefixes):
                break
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        child.wait()
    if len(found) != len(prefixes):
        sys.exit("bench_peers.py: make-report bench did not print every workload's row; its output:\n" + "".join(lines))
    return found


# --- The check -------------------------------------------------------------------------------------

def check(binary, scratch):
    """make-report and JAX train 10 → 16 → 8 → 5 from the same data, weights and orders; returns lines."""
    hidden, seed = [16, 8], 42
    (train_x, train_y), (test_x, test_y) = gaussian_clusters(500)
    rows = len(train_y)
    parameters = [tuple(jnp.asarray(a)[None] for a in layer) for layer in exact_initial_parameters(hidden, seed)]
    lines = []
    for epochs in (1, 20):
        study = os.path.join(scratch, f"check-{epochs}.yaml")
        with open(study, "w") as file:
            file.write(f"models:\n  - kind: mlp\n    hidden: {hidden}\nfractions: [0]\nseeds: [{seed}]\n"
                       f"training:\n  epochs: {epochs}\n")
        output = os.path.join(scratch, f"check-{epochs}")
        subprocess.run([binary, "run", "--study", study, "--output", output, "--no-store", "--quiet", "--threads", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(output, "results.json")) as file:
            metrics = json.load(file)["runs"][0]["metrics"]
        orders = jnp.asarray(exact_orders(rows, epochs, seed))[None]
        _, losses, train_accuracy, test_accuracy = make_trainer(rows, epochs)(
            parameters, train_x, jnp.asarray(train_y)[None], orders, test_x, test_y)
        jax_loss = float(losses[0, -1])
        difference = abs(jax_loss - metrics["finalLoss"])
        # The accuracies as counts of rows (JAX's mean is float32, make-report's a Double).
        same_rows = lambda accuracy, recorded, count: round(float(accuracy) * count) == round(recorded * count)
        ok = (difference <= 1e-5 and same_rows(train_accuracy[0], metrics["trainAccuracy"], rows)
              and same_rows(test_accuracy[0], metrics["testAccuracy"], len(test_y)))
        lines.append(f"- {epochs} epoch{'s' if epochs > 1 else ''}: final training loss make-report {metrics['finalLoss']:.7f}, "
                     f"JAX {jax_loss:.7f} (difference {difference:.1e}); train accuracy {metrics['trainAccuracy']:.4f} and "
                     f"{float(train_accuracy[0]):.4f}, test accuracy {metrics['testAccuracy']:.4f} and {float(test_accuracy[0]):.4f}: "
                     + ("agree" if ok else "DISAGREE"))
        if not ok:
            print("\n".join(lines), file=sys.stderr)
            sys.exit("bench_peers.py: the JAX workload does not do make-report's arithmetic (see above)")
    return lines


def load_average():
    return open("/proc/loadavg").read().split()[:3]


def main():
    parser = argparse.ArgumentParser(description="make-report's training against JAX's (vmap + jit), side by side.")
    parser.add_argument("--binary", default=".build/release/make-report", help="the make-report executable (a release build)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both sides (at least 1; default 3)")
    parser.add_argument("--skip-check", action="store_true", help="skip the check that both sides do the same arithmetic")
    parser.add_argument("--check-only", action="store_true", help="run only that check")
    arguments = parser.parse_args()
    if arguments.rounds < 1:
        parser.error("--rounds: must be at least 1")
    if not os.access(arguments.binary, os.X_OK):
        parser.error(f"--binary: {arguments.binary} is not an executable (build it: swift build -c release --product make-report)")
    binary = os.path.abspath(arguments.binary)

    with tempfile.TemporaryDirectory(prefix="bench-peers-") as scratch:
        check_lines = [] if arguments.skip_check else check(binary, scratch)
    if arguments.check_only:
        print("\n".join(check_lines))
        return

    print(f"pinned to CPUs {PINNED}; preparing and compiling the JAX workloads", file=sys.stderr)
    workloads = []
    for name, prefix, samples, groups in WORKLOADS:
        prepared, flops, runs = prepare_workload(samples, groups)
        run_jax(prepared)   # compiles, and warms up
        workloads.append((name, prefix, prepared, flops, runs))
    load_before = load_average()
    ours = {prefix: [] for _, prefix, _, _, _ in workloads}
    theirs = {prefix: [] for _, prefix, _, _, _ in workloads}
    for round_index in range(arguments.rounds):
        sides = ["make-report", "jax"] if round_index % 2 == 0 else ["jax", "make-report"]
        for side in sides:
            if side == "make-report":
                for prefix, measured in run_make_report(binary).items():
                    ours[prefix].append(measured)
            else:
                for _, prefix, prepared, _, _ in workloads:
                    theirs[prefix].append(run_jax(prepared))
        print(f"round {round_index + 1} of {arguments.rounds} done", file=sys.stderr)
    load_after = load_average()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu}, pinned to {CORES} CPUs {PINNED} "
          f"(make-report --threads {CORES}); load average (1, 5, 15 min) {' '.join(load_before)} before, "
          f"{' '.join(load_after)} after; make-report {version} (release), jax {jax.__version__}, jaxlib "
          f"{importlib.metadata.version('jaxlib')}, Python {platform.python_version()}; "
          f"{arguments.rounds} alternating rounds, each one timed call per side and workload, compile excluded (median, range).")
    print()
    print("| Workload | Runs | GFLOP | make-report wall (s) | GFLOP/s | CPU (s) | JAX wall (s) | GFLOP/s | CPU (s) "
          "| JAX wall / make-report wall | JAX CPU / make-report CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for name, prefix, _, flops, runs in workloads:
        measured = ours[prefix]
        for their_runs, seconds, gflops, _ in measured:
            # make-report prints its GFLOP/s from its own count; ours must agree (rounding of 3 decimals of s).
            if their_runs != runs or abs(flops / seconds / 1e9 - gflops) > 0.01 * gflops + 0.1:
                sys.exit(f"bench_peers.py: {prefix}: make-report counts {their_runs} runs at {gflops} GFLOP/s in {seconds} s; "
                         f"this script counts {runs} runs and {flops / seconds / 1e9:.1f} GFLOP/s")
        our_seconds = sorted(seconds for _, seconds, _, _ in measured)
        their_seconds = sorted(wall for wall, _ in theirs[prefix])
        ours_median, theirs_median = float(np.median(our_seconds)), float(np.median(their_seconds))
        our_cpu = float(np.median([cpu for _, _, _, cpu in measured]))
        their_cpu = float(np.median([cpu for _, cpu in theirs[prefix]]))
        ratio = theirs_median / ours_median
        verdict = f"make-report {ratio:.2f}x ahead" if ratio >= 1 else f"**JAX {1 / ratio:.2f}x ahead**"
        print(f"| {name} | {runs} | {flops / 1e9:.1f} | {ours_median:.3f} ({our_seconds[0]:.3f}-{our_seconds[-1]:.3f}) | "
              f"{flops / ours_median / 1e9:.1f} | {our_cpu:.2f} | {theirs_median:.3f} ({their_seconds[0]:.3f}-{their_seconds[-1]:.3f}) | "
              f"{flops / theirs_median / 1e9:.1f} | {their_cpu:.2f} | {ratio:.2f}: {verdict} | {their_cpu / our_cpu:.2f} |")
    if check_lines:
        print()
        print("Same arithmetic (10 → 16 → 8 → 5, seed 42, the reference clusters, make-report's initial weights and row orders):")
        print("\n".join(check_lines))


if __name__ == "__main__":
    main()
