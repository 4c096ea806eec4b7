"""Training runs on NumPy alone, with the parameters recorded at every step.

Three models, as in the paper's comparison at the scale of one CPU:

* ``linear``: linear regression (weights and bias, squared loss) on synthetic Gaussian
  data, the setting of the paper's Figure 15. Inputs ``a ~ N(0, Sigma)`` with a power-law
  spectrum ``Sigma_ii = 1 / i`` (curvatures spread over ``features`` decades of time
  scales), targets ``y = a . w* + 0.5 eps``; every step draws a fresh minibatch (online
  SGD on the population loss, whose Hessian is ``Sigma``).
* ``softmax``: softmax regression on scikit-learn's bundled 8 x 8 handwritten digits
  (1797 images, 64 pixels, 10 classes; no download), cross-entropy loss, d = 650.
* ``mlp``: a fully connected network 64 -> ``hidden`` (ReLU) -> 10 on the same digits,
  He-initialised, cross-entropy loss; d = 75 hidden + 10 (9610 for hidden = 128).

Optimisers: plain SGD ``x_t = x_{t-1} - eta_t g_t`` and SGD with (heavy-ball) momentum
``v_t = gamma v_{t-1} - eta_t g_t, x_t = x_{t-1} + v_t`` (the momentum walk of the paper);
learning rate constant or decaying as ``eta_t = eta_0 / (1 + t / tau)``.

Checkpoint t is the parameter vector after t steps (t = 0..steps); ``record`` chooses the
half-open range of checkpoints kept (the paper keeps the middle of training). Every run
is determined by its :class:`RunConfig` (seeded), and the recorded checkpoints are written
as one n x d float64 ``.npy`` (float64 because late steps can be smaller than float32's
resolution of the parameters, which would add white noise to the trajectory).
"""

from __future__ import annotations

import dataclasses
import os
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rwpca.numerics.atomic import temporary_beside
from rwpca.numerics.progress import ProgressArg, iterate
from rwpca.numerics.resources import require_disk, require_memory
from rwpca.proofs.domains import SGD_MOMENTUM

MODELS = ("linear", "softmax", "mlp")
OPTIMIZERS = ("sgd", "momentum")
SCHEDULES = ("constant", "decay")
#: Default initial learning rate of each model (stable with batch 32 and momentum 0.9).
DEFAULT_LEARNING_RATE = {"linear": 0.05, "softmax": 0.5, "mlp": 0.05}


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run (and so its recorded trajectory)."""

    model: str = "mlp"
    steps: int = 1000
    record: tuple[int, int] | None = None  # checkpoints START..STOP-1; None: all of 0..steps
    optimizer: str = "sgd"
    learning_rate: float | None = None  # None: DEFAULT_LEARNING_RATE[model]
    momentum: float = 0.9
    schedule: str = "constant"
    decay_steps: float | None = None  # tau of the decay; None: steps / 10
    batch_size: int = 32
    hidden: int = 128  # mlp
    features: int = 2000  # linear
    seed: int = 0

    def checked(self) -> RunConfig:
        """This configuration with defaults filled in; ValueError on a bad value."""
        if self.model not in MODELS:
            raise ValueError(f"model {self.model!r} is not known: allowed are {', '.join(MODELS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer {self.optimizer!r} is not known: allowed are {', '.join(OPTIMIZERS)}"
            )
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"schedule {self.schedule!r} is not known: allowed are {', '.join(SCHEDULES)}"
            )
        if self.steps < 2:
            raise ValueError(f"steps = {self.steps} is not allowed: need at least 2")
        record = (0, self.steps + 1) if self.record is None else tuple(self.record)
        start, stop = int(record[0]), int(record[1])
        if not (0 <= start < stop <= self.steps + 1) or stop - start < 3:
            raise ValueError(
                f"record {start}:{stop} is not allowed: need 0 <= START < STOP <= steps + 1 "
                f"= {self.steps + 1} with at least 3 checkpoints"
            )
        lr = DEFAULT_LEARNING_RATE[self.model] if self.learning_rate is None else self.learning_rate
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate {lr} is not allowed: need a number > 0")
        if not SGD_MOMENTUM.contains(self.momentum):
            raise ValueError(
                f"momentum {self.momentum} is not allowed: need {SGD_MOMENTUM.condition}"
            )
        tau = self.steps / 10 if self.decay_steps is None else self.decay_steps
        if not tau > 0:
            raise ValueError(f"decay steps {tau} is not allowed: need a number > 0")
        for name, value, low in (
            ("batch size", self.batch_size, 1),
            ("hidden", self.hidden, 1),
            ("features", self.features, 1),
        ):
            if value < low:
                raise ValueError(f"{name} = {value} is not allowed: need an integer >= {low}")
        return dataclasses.replace(
            self, record=(start, stop), learning_rate=float(lr), decay_steps=float(tau)
        )

    def learning_rate_at(self, step: int) -> float:
        """eta_t of step t = 1..steps (after :meth:`checked`)."""
        assert self.learning_rate is not None and self.decay_steps is not None
        if self.schedule == "constant":
            return self.learning_rate
        return self.learning_rate / (1 + (step - 1) / self.decay_steps)


# --- data -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8 x 8 digits: inputs scaled to [0, 1] and centred, labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ValueError(
            "the softmax and mlp models train on scikit-learn's bundled digits data: "
            "install it with pip install -e '.[nn]' in the rwpca checkout (or pip install "
            "scikit-learn)"
        ) from None
    inputs, labels = load_digits(return_X_y=True)
    inputs = inputs / 16.0
    return inputs - inputs.mean(axis=0), labels.astype(np.int64)


# --- models -----------------------------------------------------------------------------


class _Model:
    """Parameters as one flat float64 vector; loss and gradient of a minibatch."""

    d: int

    def init(self, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def batch(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def loss_and_grad(
        self, theta: np.ndarray, batch: tuple[np.ndarray, np.ndarray]
    ) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def evaluate(self, theta: np.ndarray) -> dict[str, float]:
        raise NotImplementedError


class _Linear(_Model):
    def __init__(self, features: int, rng: np.random.Generator) -> None:
        self.p = features
        self.d = features + 1
        self.scale = 1 / np.sqrt(np.arange(1, features + 1))  # sqrt of Sigma's diagonal
        self.teacher = rng.standard_normal(features)
        self.noise = 0.5

    def init(self, rng: np.random.Generator) -> np.ndarray:
        return np.zeros(self.d)

    def batch(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        inputs = rng.standard_normal((size, self.p)) * self.scale
        targets = inputs @ self.teacher + self.noise * rng.standard_normal(size)
        return inputs, targets

    def loss_and_grad(self, theta, batch):
        inputs, targets = batch
        residual = inputs @ theta[:-1] + theta[-1] - targets
        grad = np.empty_like(theta)
        grad[:-1] = inputs.T @ residual / residual.size
        grad[-1] = residual.mean()
        return 0.5 * float(residual @ residual) / residual.size, grad

    def evaluate(self, theta):
        # population loss: 1/2 (w - w*)^T Sigma (w - w*) + b^2 / 2 + noise^2 / 2
        error = (theta[:-1] - self.teacher) * self.scale
        return {"loss": 0.5 * float(error @ error + theta[-1] ** 2 + self.noise**2)}


def _softmax_loss(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    rows = np.arange(labels.size)
    loss = -float(np.mean(np.log(probs[rows, labels] + 1e-300)))
    probs[rows, labels] -= 1
    return loss, probs / labels.size


class _Classifier(_Model):
    """Shared digits plumbing: minibatches drawn with replacement, accuracy on all data."""

    def __init__(self) -> None:
        self.inputs, self.labels = digits()

    def batch(self, rng, size):
        index = rng.integers(0, self.labels.size, size)
        return self.inputs[index], self.labels[index]

    def logits(self, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def evaluate(self, theta):
        logits = self.logits(theta, self.inputs)
        loss, _ = _softmax_loss(logits, self.labels)
        accuracy = float(np.mean(logits.argmax(axis=1) == self.labels))
        return {"loss": loss, "accuracy": accuracy}


class _Softmax(_Classifier):
    def __init__(self) -> None:
        super().__init__()
        self.d = 64 * 10 + 10

    def init(self, rng):
        theta = np.zeros(self.d)
        theta[:640] = 0.01 * rng.standard_normal(640)
        return theta

    def logits(self, theta, inputs):
        return inputs @ theta[:640].reshape(64, 10) + theta[640:]

    def loss_and_grad(self, theta, batch):
        inputs, labels = batch
        loss, dlogits = _softmax_loss(self.logits(theta, inputs), labels)
        grad = np.empty_like(theta)
        grad[:640] = (inputs.T @ dlogits).ravel()
        grad[640:] = dlogits.sum(axis=0)
        return loss, grad


class _MLP(_Classifier):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.h = hidden
        self.sizes = (64 * hidden, hidden, hidden * 10, 10)
        self.d = sum(self.sizes)

    def _split(self, theta: np.ndarray) -> list[np.ndarray]:
        cuts = np.cumsum(self.sizes)[:-1]
        W1, b1, W2, b2 = np.split(theta, cuts)
        return [W1.reshape(64, self.h), b1, W2.reshape(self.h, 10), b2]

    def init(self, rng):
        theta = np.zeros(self.d)
        W1, _, W2, _ = self._split(theta)
        W1[...] = rng.standard_normal(W1.shape) * np.sqrt(2 / 64)
        W2[...] = rng.standard_normal(W2.shape) * np.sqrt(1 / self.h)
        return theta

    def logits(self, theta, inputs):
        W1, b1, W2, b2 = self._split(theta)
        return np.maximum(inputs @ W1 + b1, 0) @ W2 + b2

    def loss_and_grad(self, theta, batch):
        inputs, labels = batch
        W1, b1, W2, b2 = self._split(theta)
        hidden = np.maximum(inputs @ W1 + b1, 0)
        loss, dlogits = _softmax_loss(hidden @ W2 + b2, labels)
        dhidden = (dlogits @ W2.T) * (hidden > 0)
        grad = np.concatenate(
            [
                (inputs.T @ dhidden).ravel(),
                dhidden.sum(axis=0),
                (hidden.T @ dlogits).ravel(),
                dlogits.sum(axis=0),
            ]
        )
        return loss, grad


def build_model(config: RunConfig, rng: np.random.Generator) -> _Model:
    """The model of ``config`` (the linear teacher is drawn from ``rng``)."""
    if config.model == "linear":
        return _Linear(config.features, rng)
    if config.model == "softmax":
        return _Softmax()
    return _MLP(config.hidden)


def parameter_count(config: RunConfig) -> int:
    """d of the model, without building its data."""
    if config.model == "linear":
        return config.features + 1
    if config.model == "softmax":
        return 650
    return 64 * config.hidden + config.hidden + 10 * config.hidden + 10


# --- what a run costs -------------------------------------------------------------------

#: Bytes of the .npy header before the recorded rows.
NPY_HEADER_BYTES = 128
#: Parameter-sized float64 vectors alive during a step: theta, velocity, the gradient and
#: its pieces, the evaluation's copy.
_VECTORS = 6


def trajectory_bytes(config: RunConfig) -> int:
    """Bytes of the recorded checkpoints: the size of the .npy that :func:`train` writes."""
    config = config.checked()
    start, stop = config.record  # type: ignore[misc]
    return NPY_HEADER_BYTES + 8 * (stop - start) * parameter_count(config)


def peak_bytes(config: RunConfig, in_memory: bool = True) -> int:
    """An upper estimate of the memory :func:`train` needs, in bytes (checked before it).

    The per-step losses, a few parameter vectors, one minibatch and its activations (the
    linear model's inputs are batch x features, the network's hidden layer batch x hidden,
    the digits data set whole), and the recorded checkpoints when they are kept in memory.
    """
    config = config.checked()
    d = parameter_count(config)
    width = {"linear": config.features, "softmax": 64 + 10, "mlp": 64 + 3 * config.hidden}
    batch = 3 * config.batch_size * width[config.model]
    data = 0 if config.model == "linear" else 3 * 1797 * (64 + 10 + config.hidden)
    recorded = trajectory_bytes(config) if in_memory else 0
    return 8 * (config.steps + _VECTORS * d + batch + data) + recorded


def check_resources(config: RunConfig, out: Path | None = None) -> None:
    """ResourceError (a ValueError) if the run needs more memory, or ``out`` more disk, than
    there is (for a file ``out``: the recorded rows are written to its disk)."""
    config = config.checked()
    require_memory(
        peak_bytes(config, in_memory=out is None),
        f"training {config.model} for {config.steps} steps (d = {parameter_count(config)})",
    )
    if out is not None:
        start, stop = config.record  # type: ignore[misc]
        require_disk(
            Path(out),
            trajectory_bytes(config),
            f"recording {stop - start} checkpoints of d = {parameter_count(config)}",
        )


# --- training ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingResult:
    """What a run did: its configuration, d, per-step minibatch losses, final metrics."""

    config: RunConfig
    d: int
    losses: np.ndarray  # minibatch loss of steps 1..steps
    initial: dict[str, float]
    final: dict[str, float]
    trajectory: np.ndarray | None  # the recorded checkpoints when no file was written

    @property
    def recorded(self) -> tuple[int, int]:
        assert self.config.record is not None
        return self.config.record


def train(
    config: RunConfig,
    out: Path | None = None,
    progress: ProgressArg = False,
) -> TrainingResult:
    """Run ``config``; record its checkpoints to ``out`` (.npy, atomically) or in memory.

    The file appears only when the run has finished: rows are streamed into a temporary
    memory-mapped ``.npy`` next to ``out``, which is renamed over ``out`` at the end (and
    removed on any error or interruption). Memory and disk are checked first
    (:func:`check_resources`).
    """
    config = config.checked()
    start, stop = config.record  # type: ignore[misc]
    if out is not None and Path(out).suffix != ".npy":
        raise ValueError(f"--out {out} is not allowed: the trajectory is written as a .npy file")
    check_resources(config, out)
    rng = np.random.default_rng(config.seed)
    model = build_model(config, rng)
    theta = model.init(rng)
    velocity = np.zeros_like(theta)
    initial = model.evaluate(theta)
    losses = np.empty(config.steps)
    shape = (stop - start, model.d)

    beside = temporary_beside(Path(out), suffix=".npy") if out is not None else nullcontext()
    with beside as temporary:
        if temporary is not None:
            store: Any = np.lib.format.open_memmap(
                temporary, mode="w+", dtype=np.float64, shape=shape
            )
        else:
            store = np.empty(shape)
        if start == 0:
            store[0] = theta
        steps = range(1, config.steps + 1)
        bar = iterate(progress, steps, f"training {config.model}", unit="step")
        for step in bar:
            loss, grad = model.loss_and_grad(theta, model.batch(rng, config.batch_size))
            if not np.isfinite(loss) or not np.isfinite(grad).all():
                raise ValueError(
                    f"training diverged at step {step} (loss {loss:.3g}): lower the "
                    f"learning rate (now {config.learning_rate:g})"
                )
            losses[step - 1] = loss
            lr = config.learning_rate_at(step)
            if config.optimizer == "momentum":
                velocity *= config.momentum
                velocity -= lr * grad
                theta += velocity
            else:
                theta -= lr * grad
            if start <= step < stop:
                store[step - start] = theta
        final = model.evaluate(theta)
        if temporary is not None:
            store.flush()
            del store
            os.replace(temporary, out)  # type: ignore[arg-type]
            trajectory = None
        else:
            trajectory = store
    return TrainingResult(config, model.d, losses, initial, final, trajectory)
