"""The cross-contract invariant campaign: random actors and operations over every system deployed
together on one :class:`dbis.engine.FastChain`, every invariant checked after every step.

A *system* is one deployed contract group with its model (the state-machine harnesses of the
earlier issues). It names its operations with weights, draws *symbolic* arguments for one
(``pick="all"`` rather than a number, so a replay after removing earlier steps still means the
same thing), applies it (the harness predicts the exact outcome and raises
:class:`ModelMismatch` on any difference) and checks its invariants.

Every invariant is checked after every step: the stepped system's always; another system's
whenever the step changed the state of one of its contracts (the engine reports every account a
transaction touched) or moved the clock. A system's invariants read only its own contracts, its
model and the clock, so skipping an untouched system skips a check whose answer cannot have
changed; this keeps the long campaign fast.

The campaign runs in *episodes*: each starts from the deployment (chain state and clock restored)
with fresh models and runs a random number of steps. A violation is shrunk by delta debugging
over the failing episode's steps: a shorter sequence is kept while it still fails with the same
error type and first message line.

Nothing here depends on pytest or Hypothesis: `python -m tests.campaign.run` runs a long campaign.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from dbis.engine import FastChain


class System(Protocol):
    """One contract group and its model."""

    name: str

    def operations(self) -> dict[str, tuple[int, Callable[[random.Random], dict[str, Any]]]]:
        """Operation name -> (weight, draw of its symbolic arguments)."""

    def apply(self, op: str, args: dict[str, Any]) -> None:
        """Run the operation; raises on any difference from the model."""

    def check(self) -> None:
        """Compare the whole observable state with the model; raises on a violation."""

    def reset(self) -> None:
        """Forget the model (the chain has just been restored to the deployment)."""

    def addresses(self) -> set[bytes]:
        """Canonical addresses of every contract whose state the invariants read."""


@dataclass(frozen=True)
class Step:
    system: str
    op: str
    args: tuple[tuple[str, Any], ...]

    def __str__(self) -> str:
        return f"{self.system}.{self.op}(" + ", ".join(f"{k}={v!r}" for k, v in self.args) + ")"


@dataclass
class Violation:
    """The first failing step of an episode, and the shrunk sequence that still fails."""

    episode: int
    step: int
    error: str
    steps: list[Step]
    shrunk: list[Step]
    shrink_replays: int

    def markdown(self) -> list[str]:
        lines = [f"- episode {self.episode}, step {self.step}: `{self.error}`",
                 f"- shrunk from {len(self.steps)} to {len(self.shrunk)} steps "
                 f"({self.shrink_replays} replays):", ""]
        lines += [f"    {i + 1}. {s}" for i, s in enumerate(self.shrunk)]
        return lines


@dataclass
class CampaignResult:
    transitions: int
    episodes: int
    seconds: float
    seed: int
    per_operation: dict[str, int] = field(default_factory=dict)
    violation: Violation | None = None

    @property
    def rate(self) -> float:
        return self.transitions / self.seconds if self.seconds else 0.0


def _signature(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


class Campaign:
    """Deterministic for a seed: the same seed draws the same operations."""

    def __init__(self, chain: FastChain, systems: Sequence[System], *, seed: int = 0,
                 episode_steps: tuple[int, int] = (20, 200)) -> None:
        self.chain = chain
        self.systems = {s.name: s for s in systems}
        self._addresses = {s.name: s.addresses() for s in systems}
        self.seed = seed
        self.episode_steps = episode_steps
        self._table: list[tuple[str, str, Callable[[random.Random], dict[str, Any]]]] = []
        weights: list[int] = []
        for system in systems:
            for op, (weight, draw) in system.operations().items():
                self._table.append((system.name, op, draw))
                weights.append(weight)
        self._cumulative = []
        total = 0
        for w in weights:
            total += w
            self._cumulative.append(total)

    # ------------------------------------------------------------------ one episode

    def _reset(self) -> None:
        for system in self.systems.values():
            system.reset()
        self.chain.take_touched()

    def _apply(self, step: Step) -> None:
        clock = self.chain.timestamp
        self.systems[step.system].apply(step.op, dict(step.args))
        touched = self.chain.take_touched()
        moved = self.chain.timestamp != clock
        for name, system in self.systems.items():
            if name == step.system or moved or not touched.isdisjoint(self._addresses[name]):
                system.check()

    def replay(self, steps: Sequence[Step]) -> str | None:
        """Run `steps` from the deployment; the failure signature, or None when all pass."""
        with self.chain.anchor():
            self._reset()
            try:
                for step in steps:
                    self._apply(step)
            except Exception as exc:  # any failure counts: a model mismatch or a harness crash
                return _signature(exc)
            finally:
                self._reset()
        return None

    def shrink(self, steps: list[Step], signature: str) -> tuple[list[Step], int]:
        """Delta debugging: drop chunks (halves down to single steps) while the failure persists."""
        replays = 0
        current = list(steps)
        chunk = max(len(current) // 2, 1)
        while chunk >= 1:
            i = 0
            removed = False
            while i < len(current):
                candidate = current[:i] + current[i + chunk:]
                replays += 1
                if candidate and self.replay(candidate) == signature:
                    current = candidate
                    removed = True
                else:
                    i += chunk
            if not removed:
                chunk //= 2
        return current, replays

    # ------------------------------------------------------------------ the campaign

    def draw(self, rng: random.Random) -> Step:
        pick = rng.random() * self._cumulative[-1]
        lo, hi = 0, len(self._cumulative) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._cumulative[mid] > pick:
                hi = mid
            else:
                lo = mid + 1
        system, op, draw = self._table[lo]
        return Step(system, op, tuple(sorted(draw(rng).items())))

    def run(self, transitions: int, *, progress: Callable[[int, float], None] | None = None,
            progress_every: float = 10.0) -> CampaignResult:
        """Run at least `transitions` steps (whole episodes), stopping at the first violation."""
        rng = random.Random(self.seed)
        result = CampaignResult(0, 0, 0.0, self.seed)
        started = last_report = time.perf_counter()
        while result.transitions < transitions:
            length = rng.randint(*self.episode_steps)
            length = min(length, transitions - result.transitions) or 1
            steps: list[Step] = []
            failure: BaseException | None = None
            with self.chain.anchor():
                self._reset()
                try:
                    for _ in range(length):
                        step = self.draw(rng)
                        steps.append(step)
                        self._apply(step)
                        result.transitions += 1
                        key = f"{step.system}.{step.op}"
                        result.per_operation[key] = result.per_operation.get(key, 0) + 1
                except Exception as exc:
                    failure = exc
                finally:
                    self._reset()
            result.episodes += 1
            if failure is not None:
                signature = _signature(failure)
                shrunk, replays = self.shrink(steps, signature)
                result.violation = Violation(result.episodes, len(steps), signature, steps, shrunk, replays)
                break
            now = time.perf_counter()
            if progress and now - last_report >= progress_every:
                progress(result.transitions, now - started)
                last_report = now
        result.seconds = time.perf_counter() - started
        return result
