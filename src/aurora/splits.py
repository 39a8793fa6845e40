"""Speaker-independent splits: every partition is a set of speakers, never clips.

Cross-validation folds are drawn from the non-test speakers, stratified by corpus
and gender (each corpus's males, females and speakers of unknown gender are dealt
out separately). Each fold takes validation
actors for early stopping and model selection from its own training actors,
so the held-out fold is touched only to score the finished model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Fold:
    name: str
    train: tuple  # speakers (namespaced strings such as "ravdess:01"; ints in unit tests)
    val: tuple
    test: tuple

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Fold:
        return cls(d["name"], tuple(d["train"]), tuple(d["val"]), tuple(d["test"]))


def _deal(actors: list, n: int, start: int = 0) -> list[list]:
    """Split sorted `actors` into `n` contiguous, near-equal groups; the groups from `start`
    on get the extra ones, so small strata do not all land in the first folds."""
    size, extra = divmod(len(actors), n)
    sizes = [size + ((i - start) % n < extra) for i in range(n)]
    groups, begin = [], 0
    for i in range(n):
        groups.append(actors[begin:begin + sizes[i]])
        begin += sizes[i]
    return groups


def _pick_val(pool: list, genders: dict, n_val: int, offset: int) -> tuple:
    """`n_val` speakers from `pool`, alternating genders, rotating with `offset`."""
    order = ["male", "female"] if offset % 2 == 0 else ["female", "male"]
    order += sorted({genders[a] for a in pool} - set(order))  # e.g. "unknown"
    by_gender = {g: [a for a in pool if genders[a] == g] for g in order}
    picked: list = []
    i = 0
    while len(picked) < n_val and any(by_gender.values()):
        group = by_gender[order[i % len(order)]]
        if group:
            picked.append(group.pop(offset % len(group)))
        i += 1
    return tuple(sorted(picked))


def _pick_val_per_corpus(pool: list, genders: dict, corpora: dict, n_val: int, offset: int) -> tuple:
    """Validation speakers from every corpus of `pool` in turn, so model selection sees them all."""
    names = sorted({corpora[a] for a in pool})
    wanted = {c: n_val // len(names) + (i < n_val % len(names)) for i, c in enumerate(names)}
    return tuple(sorted(a for c in names for a in _pick_val([a for a in pool if corpora[a] == c], genders,
                                                          wanted[c], offset)))


def make_splits(genders: dict, test_actors: list, n_folds: int, n_val: int,
                corpora: dict | None = None) -> tuple[list[Fold], Fold]:
    """Return (cross-validation folds, the final train/val/test split).

    `genders` maps every available speaker to "male"/"female" (or another word, such as
    "unknown", dealt out as its own group); `corpora` maps each to its corpus (default: one
    corpus). Folds are stratified by corpus and gender. The final split tests on the
    `test_actors` that are present (possibly none).
    """
    corpora = corpora or dict.fromkeys(genders, "")
    pool = sorted(a for a in genders if a not in set(test_actors))
    if len(pool) < n_folds + n_val + 1:
        raise ValueError(f"{len(pool)} non-test actors cannot make {n_folds} folds with "
                         f"{n_val} validation actors each")
    strata = sorted({(corpora[a], genders[a]) for a in pool}, key=lambda s: (s[0], s[1] != "male", s[1]))
    held: list[list] = [[] for _ in range(n_folds)]
    start = 0
    for corpus, gender in strata:
        members = [a for a in pool if corpora[a] == corpus and genders[a] == gender]
        for k, group in enumerate(_deal(members, n_folds, start)):
            held[k] += group
        start = (start + len(members)) % n_folds
    folds = []
    for k in range(n_folds):
        held_out = sorted(held[k])
        rest = [a for a in pool if a not in held_out]
        val = _pick_val_per_corpus(rest, genders, corpora, n_val, offset=k)
        train = tuple(a for a in rest if a not in val)
        folds.append(Fold(f"fold{k + 1}", train, val, tuple(held_out)))
    present_test = tuple(sorted(a for a in test_actors if a in genders))
    val = _pick_val_per_corpus(pool, genders, corpora, n_val, offset=0)
    final = Fold("final", tuple(a for a in pool if a not in val), val, present_test)
    return folds, final


def leave_one_corpus_out(genders: dict, corpora: dict, test_actors: list, n_val: int) -> list[Fold]:
    """With two or more corpora, one split per corpus: train (and validate) on the others' speakers,
    test on every non-test speaker of the one left out. One corpus gives no splits."""
    pool = sorted(a for a in genders if a not in set(test_actors))
    names = sorted({corpora[a] for a in pool})
    if len(names) < 2:
        return []
    splits = []
    for name in names:
        rest = [a for a in pool if corpora[a] != name]
        val = _pick_val_per_corpus(rest, genders, corpora, n_val, offset=0)
        splits.append(Fold(f"without-{name}", tuple(a for a in rest if a not in val), val,
                           tuple(a for a in pool if corpora[a] == name)))
    return splits


def speakers_text(speakers) -> str:
    """A compact list of namespaced speakers, per corpus: ``ravdess 01, 02; crema_d 1001``."""
    by_corpus: dict[str, list[str]] = {}
    for s in speakers:
        corpus, _, name = str(s).rpartition(":")
        by_corpus.setdefault(corpus, []).append(name)
    return "; ".join(f"{c} {', '.join(names)}" if c else ", ".join(names) for c, names in by_corpus.items()) \
        or "none"
