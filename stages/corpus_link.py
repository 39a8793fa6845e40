"""Stage `corpus_link@NAME`: make data/corpora/NAME a link to evaluation corpus NAME's folder.

The folder comes from the environment variable or the dir that params.yaml's
crosscorpus.corpora.NAME names; without one the path becomes an empty folder
and the corpus's evaluation notes that it was skipped. To switch copies later:
`dvc repro -f corpus_link@NAME`.
"""

from __future__ import annotations

import sys

from aurora.config import ConfigError, load_params
from aurora.data.sources import link_corpus
from stages.entry import run
from stages.paths import EVALUATION_CORPORA


def main() -> None:
    name = sys.argv[1]
    corpora = load_params().crosscorpus.corpora
    if name not in corpora:
        raise ConfigError(f"crosscorpus.corpora has no corpus {name!r} (known: {sorted(corpora)})")
    print(link_corpus(EVALUATION_CORPORA / name, name, *corpora[name].location()))


if __name__ == "__main__":
    run("corpus_link", main)
