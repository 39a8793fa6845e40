"""Speaker-independent splits: every partition is a set of actors, never clips.

Cross-validation folds are drawn from the non-test actors, gender-balanced
(males and females are dealt out separately). Each fold takes validation
actors for early stopping and model selection from its own training actors,
so the held-out fold is touched only to score the finished model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Fold:
    name: str
    train: tuple[int, ...]
    val: tuple[int, ...]
    test: tuple[int, ...]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Fold:
        return cls(d["name"], tuple(d["train"]), tuple(d["val"]), tuple(d["test"]))


def _deal(actors: list[int], n: int) -> list[list[int]]:
    """Split sorted `actors` into `n` contiguous, near-equal groups."""
    size, extra = divmod(len(actors), n)
    groups, start = [], 0
    for i in range(n):
        end = start + size + (i < extra)
        groups.append(actors[start:end])
        start = end
    return groups


def _pick_val(pool: list[int], genders: dict[int, str], n_val: int, offset: int) -> tuple[int, ...]:
    """`n_val` actors from `pool`, alternating genders, rotating with `offset`."""
    by_gender = {g: [a for a in pool if genders[a] == g] for g in ("female", "male")}
    picked: list[int] = []
    order = ["male", "female"] if offset % 2 == 0 else ["female", "male"]
    i = 0
    while len(picked) < n_val and any(by_gender.values()):
        group = by_gender[order[i % 2]]
        if group:
            picked.append(group.pop(offset % len(group)))
        i += 1
    return tuple(sorted(picked))


def make_splits(genders: dict[int, str], test_actors: list[int], n_folds: int,
                n_val: int) -> tuple[list[Fold], Fold]:
    """Return (cross-validation folds, the final train/val/test split).

    `genders` maps every available actor to "male"/"female". The final split
    tests on `test_actors` that are present (possibly none).
    """
    pool = sorted(a for a in genders if a not in set(test_actors))
    if len(pool) < n_folds + n_val + 1:
        raise ValueError(f"{len(pool)} non-test actors cannot make {n_folds} folds with "
                         f"{n_val} validation actors each")
    males = _deal([a for a in pool if genders[a] == "male"], n_folds)
    females = _deal([a for a in pool if genders[a] == "female"], n_folds)
    folds = []
    for k in range(n_folds):
        held_out = sorted(males[k] + females[k])
        rest = [a for a in pool if a not in held_out]
        val = _pick_val(rest, genders, n_val, offset=k)
        train = tuple(a for a in rest if a not in val)
        folds.append(Fold(f"fold{k + 1}", train, val, tuple(held_out)))
    present_test = tuple(sorted(a for a in test_actors if a in genders))
    val = _pick_val(pool, genders, n_val, offset=0)
    final = Fold("final", tuple(a for a in pool if a not in val), val, present_test)
    return folds, final
