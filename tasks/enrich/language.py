"""Language identification: py3langid's model, its byte automaton walked with numpy instead of a loop."""

from __future__ import annotations

from collections import Counter

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

# States handled per step while measuring depths: bounds the temporary arrays to a few megabytes.
_DEPTH_CHUNK = 4096


class SuffixLanguageIdentifier(LanguageIdentifier):
    """py3langid's identifier, counting the same features in the same order without a per-byte loop.

    py3langid walks an Aho-Corasick automaton over the text's bytes, one Python step per byte. The
    automaton's state after a byte is the longest suffix of the text so far that is a node of its trie,
    so it can be read off for every position at once: the one-byte node ending there, extended by one
    byte while the trie has that child, as many times as the trie is deep.
    """

    __slots__ = ("_depths", "_max_depth", "_next_states", "_outputs", "_row_offsets")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_states = np.frombuffer(self.tk_nextmove, dtype=np.dtype(self.tk_nextmove.typecode))
        self._row_offsets = np.asarray(self.tk_row, dtype=np.int64) << 8
        self._outputs = np.asarray(self.tk_output, dtype=np.int64)
        self._depths = self._trie_depths()
        self._max_depth = int(self._depths.max())

    def _trie_depths(self) -> np.ndarray:
        """Each state's depth in the trie (its label's length): breadth first from the root."""
        depths = np.full(len(self._row_offsets), -1, dtype=np.int8)
        depths[0] = 0
        frontier = np.zeros(1, dtype=np.int64)
        depth = 0
        while len(frontier):
            depth += 1
            reached = []
            for start in range(0, len(frontier), _DEPTH_CHUNK):
                rows = self._row_offsets[frontier[start : start + _DEPTH_CHUNK], None] + np.arange(256)
                targets = np.unique(self._next_states[rows.ravel()]).astype(np.int64)
                new = targets[depths[targets] < 0]
                depths[new] = depth
                reached.append(new)
            frontier = np.concatenate(reached)
        return depths

    def feature_counts(self, text: bytes) -> Counter[int] | None:
        """What py3langid's `visit_counts` returns for `text`: feature counts in order of first sight."""
        data = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
        states = self._next_states[self._row_offsets[0] + data].astype(np.int64)
        ends = np.flatnonzero(states)  # where a one-byte node ends
        nodes = states[ends]
        for depth in range(2, self._max_depth + 1):
            ends = ends + 1
            inside = ends < len(data)
            ends, nodes = ends[inside], nodes[inside]
            children = self._next_states[self._row_offsets[nodes] + data[ends]].astype(np.int64)
            grown = self._depths[children] == depth
            ends, nodes = ends[grown], children[grown]
            if not len(ends):
                break
            states[ends] = nodes
        features = self._outputs[states]
        features = features[features >= 0]
        return Counter(features.tolist()) if len(features) else None

    def _raw_score(self, text: bytes) -> np.ndarray:
        visits = self.feature_counts(text)
        if visits is None:  # no features: the parent's own score for that
            return super()._raw_score(text)
        return self._sparse_score(visits, self.nb_ptc)


def load_identifier() -> SuffixLanguageIdentifier:
    """The model that ships inside py3langid, with normalised probabilities as confidences."""
    return SuffixLanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
