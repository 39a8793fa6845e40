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


def _pick_val_per_corpus(pool: list, genders: dict, corpora: dict, n_val: int, offset: int,
                         every_corpus: bool = True) -> tuple:
    """`n_val` validation speakers drawn from the corpora of `pool` in turn (the turn rotating with
    `offset`), never a corpus's last speaker: each corpus keeps at least one training speaker.
    `every_corpus`: first one from every corpus that has room, however small n_val, so that model
    selection and the temperature hear every corpus; otherwise, with more corpora than n_val, each
    corpus validates in some folds only."""
    names = sorted({corpora[a] for a in pool})
    room = {c: sum(corpora[a] == c for a in pool) - 1 for c in names}
    wanted = {c: int(every_corpus and room[c] > 0) for c in names}
    turn = offset
    while sum(wanted.values()) < n_val and any(wanted[c] < room[c] for c in names):
        corpus = names[turn % len(names)]
        if wanted[corpus] < room[corpus]:
            wanted[corpus] += 1
        turn += 1
    if not any(wanted.values()) and n_val and len(pool) > 1:  # every corpus has a single speaker
        wanted[names[offset % len(names)]] = 1
    return tuple(sorted(a for c in names for a in _pick_val([a for a in pool if corpora[a] == c], genders,
                                                          wanted[c], offset)))


def make_splits(genders: dict, test_actors: list, n_folds: int, n_val: int,
                corpora: dict | None = None, every_corpus: bool = True) -> tuple[list[Fold], Fold]:
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
    held: list[list] = [[] for _ in range(n_folds)]
    start = 0  # each stratum's odd speakers go to the folds the previous strata left short
    for corpus in sorted({corpora[a] for a in pool}):
        members = [a for a in pool if corpora[a] == corpus]
        for gender in sorted({genders[a] for a in members}, key=lambda g: (g != "male", g)):
            stratum = [a for a in members if genders[a] == gender]
            for k, group in enumerate(_deal(stratum, n_folds, start)):
                held[k] += group
            start = (start + len(stratum)) % n_folds
    folds = []
    for k in range(n_folds):
        held_out = sorted(held[k])
        rest = [a for a in pool if a not in held_out]
        val = _pick_val_per_corpus(rest, genders, corpora, n_val, offset=k, every_corpus=every_corpus)
        train = tuple(a for a in rest if a not in val)
        folds.append(Fold(f"fold{k + 1}", train, val, tuple(held_out)))
    present_test = tuple(sorted(a for a in test_actors if a in genders))
    val = _pick_val_per_corpus(pool, genders, corpora, n_val, offset=0, every_corpus=every_corpus)
    final = Fold("final", tuple(a for a in pool if a not in val), val, present_test)
    return folds, final


def leave_one_corpus_out(genders: dict, corpora: dict, test_actors: list, n_val: int,
                         every_corpus: bool = True) -> list[Fold]:
    """With two or more corpora, one split per corpus: train (and validate) on the others' speakers,
    test on every non-test speaker of the one left out. One corpus gives no splits; when the others
    have few speakers, fewer validate (at least one trains and one validates, else no split)."""
    return _corpus_splits(genders, corpora, test_actors, n_val, alone=False, every_corpus=every_corpus)


def single_corpus(genders: dict, corpora: dict, test_actors: list, n_val: int) -> list[Fold]:
    """With two or more corpora, one split per corpus of two or more speakers: train (and validate)
    on that corpus alone, test on every non-test speaker of the others (the corpus x corpus matrix:
    how far one corpus carries to another)."""
    return _corpus_splits(genders, corpora, test_actors, n_val, alone=True)


def _corpus_splits(genders: dict, corpora: dict, test_actors: list, n_val: int, alone: bool,
                   every_corpus: bool = True) -> list[Fold]:
    """One split per corpus: trained on that corpus `alone` ("only-NAME") or on all but it
    ("without-NAME"), tested on the rest of the non-test speakers."""
    pool = sorted(a for a in genders if a not in set(test_actors))
    names = sorted({corpora[a] for a in pool})
    if len(names) < 2:
        return []
    splits = []
    for name in names:
        trained = [a for a in pool if (corpora[a] == name) == alone]
        if len(trained) < 2:
            continue
        val = _pick_val_per_corpus(trained, genders, corpora, min(n_val, len(trained) - 1), offset=0,
                                   every_corpus=every_corpus)
        splits.append(Fold(f"{'only' if alone else 'without'}-{name}", tuple(a for a in trained if a not in val),
                           val, tuple(a for a in pool if (corpora[a] == name) != alone)))
    return splits


def speakers_text(speakers) -> str:
    """A compact list of namespaced speakers, per corpus: ``ravdess 01, 02; crema_d 1001``."""
    by_corpus: dict[str, list[str]] = {}
    for s in speakers:
        corpus, _, name = str(s).rpartition(":")
        by_corpus.setdefault(corpus, []).append(name)
    return "; ".join(f"{c} {', '.join(names)}" if c else ", ".join(names) for c, names in by_corpus.items()) \
        or "none"
