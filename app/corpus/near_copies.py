"""Near copies among many texts: the text side of campaign detection (`app.corpus.campaigns`
reads the items and writes the campaigns). Nothing here touches the database.

1. Exact copies: texts equal once case, punctuation and spacing are ignored are one text.
2. Near copies: each distinct text gets a MinHash signature of its word shingles
   (SHINGLE_WORDS words; NUM_PERM hash functions of the shingles' keys, computed with numpy a
   few hundred texts at a time, in a second process too when there are many). LSH bands of
   the signatures (the bands datasketch chooses for SIMILARITY, a missed near copy weighing
   nine times a needless check) give each text its candidates. Distinct texts are visited
   most common first; each either joins the candidate "leader" whose signature agrees with
   its own in the most places (at least SIMILARITY of them), or becomes a leader itself. Only
   leaders are indexed, so the work stays linear in the number of distinct texts (a
   50,000-member campaign is not compared pairwise), and a text whose band keys no other text
   has is a leader without being visited. The most common text of a group (its first leader)
   is the template.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context
from zlib import crc32

import numpy as np
from datasketch import MinHashLSH

SHINGLE_WORDS = 3
NUM_PERM = 64
MAX_CANDIDATES = 500  # candidate leaders compared per text: a bound that keeps it linear
WORDS = re.compile(r"\w+", re.UNICODE)
SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Group:
    """Distinct texts (normalised) found to repeat one template: the first is the template."""

    texts: list[str]
    count: int = 0


def normalise(text: str) -> str:
    """The text as compared: lower case, words only, single spaces."""
    return " ".join(WORDS.findall(text.lower()))


class _WordHashes(dict):
    """word -> CRC-32 of the word (the same in every process, so results repeat)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = crc32(word.encode())
        return value


# Fixed random constants (a seeded generator): the same signatures in every run and process.
_RANDOM = np.random.default_rng(20_251_128)
_SHINGLE_MULTIPLIERS = _RANDOM.integers(1, 2**63, size=SHINGLE_WORDS, dtype=np.uint64) * 2 + 1
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PERM_A = _RANDOM.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * 2 + 1
_PERM_B = _RANDOM.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_PAD = "\x01"  # a token no normalised text has (they are \w+ words): hashes to 0 below
_CHUNK = 2_000  # texts split into shingles together
_HASHED = 128  # texts hashed together (see signatures)
_PARALLEL_FROM = 20_000  # distinct texts from which a second process pays for its start


def shingle_hashes(normalised: str, size: int = SHINGLE_WORDS) -> list[int]:
    """32-bit hashes of the text's SIZE-word shingles (the whole text when shorter), as the
    signatures use them (sorted, without repeats)."""
    keys = _shingle_keys([normalised], _WordHashes())[0]
    return sorted(set(keys.tolist()))


def _shingle_keys(texts: list[str], words: _WordHashes) -> tuple[np.ndarray, np.ndarray]:
    """(keys, starts): every text's SHINGLE_WORDS-word shingles as 32-bit keys, the texts'
    keys one after another, and where each text's keys start. A shingle's key combines its
    words' CRC-32s, so each distinct word is hashed once, not each shingle's string."""
    size = SHINGLE_WORDS
    words[_PAD] = 0
    # Each text's words followed by SIZE-1 pads: a shingle never spans two texts, and a text
    # shorter than SIZE is one shingle (its words and pads).
    separator = " " + " ".join([_PAD] * (size - 1)) + " "
    tokens = (separator.join(texts) + separator).split(" ")[:-1]
    flat = np.fromiter(map(words.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    lengths = np.fromiter((t.count(" ") + 1 for t in texts), dtype=np.int64, count=len(texts))
    text_starts = np.concatenate(([0], np.cumsum(lengths + size - 1)[:-1]))
    counts = np.maximum(lengths - size + 1, 1)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    positions = (np.repeat(text_starts - starts, counts) + np.arange(int(counts.sum())))
    combined = np.zeros(positions.size, dtype=np.uint64)
    for offset in range(size):
        combined += flat[positions + offset] * _SHINGLE_MULTIPLIERS[offset]
    combined ^= combined >> np.uint64(31)
    combined *= _MIX
    return combined >> np.uint64(32), starts


def signatures(texts: list[str], words: _WordHashes | None = None) -> np.ndarray:
    """MinHash signatures of TEXTS (normalised), one row of NUM_PERM uint32 each: for each of
    NUM_PERM hash functions (multiply-add-shift, 2-independent on 32-bit keys), the least hash
    of the text's shingles. Two rows agree in a share of places that estimates the Jaccard
    similarity of the texts' shingle sets. Vectorised with numpy, a chunk of texts at a time."""
    words = words if words is not None else _WordHashes()
    result = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(texts), _CHUNK):
        keys, starts = _shingle_keys(texts[start:start + _CHUNK], words)
        ends = np.append(starts[1:], keys.size)
        # A few hundred texts' (shingles x permutations) at a time stay in the CPU cache:
        # five times faster than the whole chunk at once.
        for first in range(0, starts.size, _HASHED):
            part = starts[first:first + _HASHED]
            hashed = keys[part[0]:ends[first + part.size - 1], None] * _PERM_A[None, :]
            hashed += _PERM_B[None, :]
            hashed >>= np.uint64(32)
            result[start + first:start + first + part.size] = np.minimum.reduceat(
                hashed.astype(np.uint32), part - part[0], axis=0)
    return result


@lru_cache(maxsize=8)
def _bands_and_rows(similarity: float) -> tuple[int, int]:
    """datasketch's choice of LSH bands x rows for the threshold, weighing false negatives
    9:1 against false positives."""
    lsh = MinHashLSH(threshold=similarity, num_perm=NUM_PERM, weights=(0.1, 0.9))
    return lsh.b, lsh.r


def _normalised_signatures(texts: list[str]) -> tuple[list[str], np.ndarray]:
    normalised = [normalise(t) for t in texts]
    return normalised, signatures(normalised)


def normalise_and_sign(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """TEXTS normalised, and their signatures. Many texts: half of them in a second process
    (forked: it inherits the code, and returns what it computed), so both cores work."""
    if (len(texts) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2
            or "fork" not in get_all_start_methods()):
        return _normalised_signatures(texts)
    half = len(texts) // 2
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
        other = pool.submit(_normalised_signatures, texts[half:])
        first = _normalised_signatures(texts[:half])
        second = other.result()
    return first[0] + second[0], np.concatenate((first[1], second[1]))


def _band_keys(signature: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per band (ROWS consecutive values) per text: equal bands, equal keys
    (unequal bands rarely collide, and a collision only adds a candidate that is checked).
    Keys are odd, never 0 (group_texts uses 0 for "no other text has it")."""
    multipliers = np.random.default_rng(7).integers(1, 2**63, size=rows, dtype=np.uint64)
    keys = np.zeros((signature.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        part = signature[:, band * rows:(band + 1) * rows].astype(np.uint64)
        keys[:, band] = (part * multipliers).sum(axis=1, dtype=np.uint64) | np.uint64(1)
    return keys


def _shared(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two (texts x bands) boolean arrays: the text's key in that band is another text's too
    (`shared`: a text with none can never be a candidate nor have one), and is an earlier
    text's (`earlier`: only there can a leader before it be found)."""
    shared = np.zeros(keys.shape, dtype=bool)
    earlier = np.zeros(keys.shape, dtype=bool)
    position = np.arange(keys.shape[0])
    for band in range(keys.shape[1]):
        _values, first, inverse, counts = np.unique(
            keys[:, band], return_index=True, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        shared[:, band] = counts[inverse] > 1
        earlier[:, band] = first[inverse] < position
    return shared, earlier


def group_texts(counts: Counter, *, similarity: float, num_perm: int = NUM_PERM,
                signature_of: Callable[[list[str]], np.ndarray] | None = None) -> list[Group]:
    """Group distinct normalised texts (with how many items have each) into near-copies.
    SIGNATURE_OF(texts) gives their signatures when already computed."""
    if num_perm != NUM_PERM:
        raise ValueError(f"signatures have {NUM_PERM} permutations")
    ordered = [text for text, _n in counts.most_common()]
    signature = (signature_of or signatures)(ordered)
    # Missing a near copy costs more than checking an extra candidate (each is verified), so
    # the bands weigh false negatives 9:1: at 0.6, 16 bands of 4 rows find a pair at 0.6
    # 89% of the time and a pair at 0.75 99.8% of the time (12 bands of 5, weighing them 7:3,
    # found only 62% and 96%: one in twenty variants of a template became a group of its
    # own); a pair at 0.3 is a candidate 12% of the time, and fails the check.
    bands, rows = _bands_and_rows(similarity)
    keys = _band_keys(signature, bands, rows)
    shared, earlier = _shared(keys)
    needed = int(np.ceil(similarity * num_perm - 1e-9))  # agreeing places for the estimate
    group_of_text = np.full(len(ordered), -1, dtype=np.int64)
    buckets: list[dict[int, list[int]]] = [{} for _ in range(bands)]
    # Texts sharing no band key with any other are leaders of their own group; only the
    # others are visited one by one (most common first), against the leaders before them.
    visit = np.flatnonzero(shared.any(axis=1))
    # Keys another text has (to index a leader by), and keys an earlier text has (to look
    # leaders up by); 0 elsewhere.
    index_keys = np.where(shared[visit], keys[visit], np.uint64(0)).tolist()
    lookup_keys = np.where(earlier[visit], keys[visit], np.uint64(0)).tolist()
    looks = earlier[visit].any(axis=1).tolist()
    for index, own_keys, their_keys, look in zip(visit.tolist(), index_keys, lookup_keys,
                                                 looks, strict=True):
        best = _best_leader(index, their_keys, buckets, signature, needed) if look else -1
        if best >= 0:
            group_of_text[index] = best
            continue
        for band, key in enumerate(own_keys):  # a leader: indexed in its shared bands
            if key:
                buckets[band].setdefault(key, []).append(index)
    return _collect(ordered, counts, group_of_text)


def _best_leader(index: int, keys: list[int], buckets: list[dict[int, list[int]]],
                 signature: np.ndarray, needed: int) -> int:
    """The leader in KEYS' buckets whose signature agrees most with text INDEX's, when it
    agrees in NEEDED places or more; else -1."""
    seen: set[int] = set()
    for band, key in enumerate(keys):
        if key and (leaders := buckets[band].get(key)):
            seen.update(leaders)
    if not seen:
        return -1
    if len(seen) == 1:
        (leader,) = seen
        agree = int(np.add.reduce(signature[leader] == signature[index]))
        return leader if agree >= needed else -1
    # At most MAX_CANDIDATES, the earliest (most common) leaders first.
    candidates = (np.fromiter(seen, dtype=np.int64, count=len(seen))
                  if len(seen) <= MAX_CANDIDATES
                  else np.array(sorted(seen)[:MAX_CANDIDATES], dtype=np.int64))
    scores = np.add.reduce(signature[candidates] == signature[index], axis=1)
    top = int(scores.argmax())
    return int(candidates[top]) if scores[top] >= needed else -1


def _collect(ordered: list[str], counts: Counter, group_of_text: np.ndarray) -> list[Group]:
    """Groups from each text's leader (-1/-2: the text leads its own group)."""
    groups: list[Group] = []
    number: dict[int, int] = {}
    leader_of = group_of_text.tolist()
    for index, text in enumerate(ordered):
        leader = leader_of[index]
        if leader < 0:
            number[index] = len(groups)
            groups.append(Group(texts=[text], count=counts[text]))
        else:
            group = groups[number[leader]]
            group.texts.append(text)
            group.count += counts[text]
    return groups


def own_text(text: str, template: str) -> str | None:
    """The sentences of TEXT that the TEMPLATE does not have (compared normalised), as
    written; None when it adds nothing."""
    return added_text(text, sentences_of(template))


def sentences_of(template: str) -> frozenset[str]:
    return frozenset(n for n in map(normalise, SENTENCES.split(template)) if n)


def added_text(text: str, known: frozenset[str]) -> str | None:
    added = [s.strip() for s in SENTENCES.split(text) if (n := normalise(s)) and n not in known]
    return " ".join(added) or None
