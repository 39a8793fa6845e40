"""The user's label set (`aurora predict --classes`): which of the model's classes a
prediction chooses between, and which classes' probability goes to another.

"neutral,happy,sad" keeps three classes: every other class's probability is dropped
and the three are renormalised. "neutral+calm,happy,sad" keeps the same three, but
calm's probability is added to neutral's first. Why both: a class the user's labels
lack is often a near twin of one they have (RAVDESS's calm is a low-arousal neutral),
and dropping it spreads its mass over every other class in proportion. On Emo-DB,
whose labels have no calm, German neutral speech mostly comes out calm (24 of 43
clips): dropping calm sends those clips to angry, happy and fearful, folding calm
into neutral keeps them neutral (the README gives the figures).

Probabilities stay in the model's class order, so a CSV keeps its columns; a dropped
or folded class's column is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aurora.config import ConfigError


@dataclass(frozen=True)
class Decision:
    """`target[j]`: the index of the model class that receives class j's probability
    (j itself for a kept class), or -1 for a dropped class."""

    classes: tuple[str, ...]
    target: tuple[int, ...]

    @classmethod
    def parse(cls, classes: Sequence[str], names: Sequence[str] | None) -> Decision | None:
        """The decision for `--classes` names, each a class or a class+its+twins (None: every class).
        Unknown names, a class named twice or fewer than two kept classes are clear errors."""
        if not names:
            return None
        classes = tuple(classes)
        target = [-1] * len(classes)
        parts = [[p.strip() for p in name.split("+")] for name in names]
        words = [p for part in parts for p in part]
        unknown = sorted({p for p in words if p not in classes})
        if unknown:
            raise ConfigError(f"--classes: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not "
                              f"among this model's classes ({', '.join(classes)})")
        twice = sorted({p for p in words if words.count(p) > 1})
        if twice:
            raise ConfigError(f"--classes names {', '.join(twice)} more than once; each class may "
                              "appear once, kept (a) or folded into another (a+b)")
        if len(parts) < 2:
            raise ConfigError("--classes needs at least two different classes to choose between")
        for part in parts:
            for name in part:
                target[classes.index(name)] = classes.index(part[0])
        return cls(classes, tuple(target))

    @classmethod
    def among(cls, classes: Sequence[str], kept: Sequence[str]) -> Decision:
        """Keep `kept`, drop the rest (no folding)."""
        return cls(tuple(classes), tuple(i if c in kept else -1 for i, c in enumerate(classes)))

    @property
    def allowed(self) -> np.ndarray:
        """Mask of the classes whose probability counts (kept or folded)."""
        return np.asarray(self.target) >= 0

    @property
    def kept(self) -> np.ndarray:
        """Mask of the classes a prediction can be."""
        return np.asarray(self.target) == np.arange(len(self.classes))

    @property
    def label(self) -> str:
        """The canonical --classes text, in the model's class order ("neutral+calm,happy,...")."""
        target = np.asarray(self.target)
        return ",".join("+".join(self.classes[j] for j in np.flatnonzero(target == i))
                        for i in np.flatnonzero(self.kept))

    def apply(self, probs: np.ndarray) -> np.ndarray:
        """Renormalised over the allowed classes, each folded class's probability added to its
        target's."""
        allowed = probs * self.allowed
        allowed = allowed / allowed.sum(axis=1, keepdims=True)
        out = np.zeros_like(allowed)
        for j, i in enumerate(self.target):
            if i >= 0:
                out[:, i] += allowed[:, j]
        return out


def split_names(text: str | None) -> tuple[str, ...]:
    """`--classes` text ("neutral+calm, happy,sad") as its comma-separated names; () for none."""
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def decide(probs: np.ndarray, decision: Decision | None) -> np.ndarray:
    """`probs` under the user's label set (unchanged without one)."""
    return probs if decision is None else decision.apply(probs)
