"""Replaying every event of a view: each lead's running score at each of its activities, vectorised.

For one lead and one stream of points (every uncapped type together, or one capped type) the decayed
running sum obeys `s_k = s_{k-1} · 0.5^(gap_k / half_life) + p_k`, the k-th event's points `p_k` added
to what is left of the sum at the previous event (no decay: the factor is 1). The recurrence is exact
and cannot overflow, but it is sequential along each lead. So the events are stored rank-major
("jagged diagonal"): the first event of every lead, then the second of every lead that has one, and so
on, with leads ordered by their number of events (most first). Step k then updates one contiguous
slice from the slice before it, and a whole replay is as many numpy operations per stream as the
longest lead has events, each over the leads still running — about one pass over the events.

The score at an event is `fit + Σ_type min(cap, stream)`; events at the same instant are evaluated
together (their gap is 0, and only the last event of each instant is read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class EventArrays:
    """Every event of a view as integer arrays in (lead, time) order, plus the rank-major lay-out."""

    types: tuple[str, ...]
    lead: np.ndarray  # int32 index into the view's leads, non-decreasing
    at: np.ndarray  # int64 µs since the epoch, non-decreasing within a lead
    type_code: np.ndarray  # int16 index into types
    last_at_instant: np.ndarray  # True on the last event of each (lead, instant)
    rank_major: np.ndarray  # event → its position in the rank-major lay-out
    offsets: np.ndarray  # rank k occupies rank_major positions offsets[k]:offsets[k + 1]
    codes_by_rank: np.ndarray  # type_code in the rank-major lay-out

    @classmethod
    def build(cls, types: tuple[str, ...], lead: np.ndarray, at: np.ndarray, type_code: np.ndarray) -> EventArrays:
        """Sort events by (lead, time) once and lay them out for the scan; the inputs may be in any order."""
        lead = np.asarray(lead, dtype=np.int32)
        at = np.asarray(at, dtype=np.int64)
        type_code = np.asarray(type_code, dtype=np.int16)
        if not _in_lead_time_order(lead, at):  # the database delivers them ordered (backtest_events.sql)
            order = _lead_time_order(lead, at)
            lead, at, type_code = lead[order], at[order], type_code[order]
        n = len(lead)
        new_lead = np.ones(n, dtype=bool)
        new_lead[1:] = lead[1:] != lead[:-1]
        last_at_instant = np.ones(n, dtype=bool)
        last_at_instant[:-1] = new_lead[1:] | (at[1:] != at[:-1])

        # Per lead number (not per segment: that needs a cumulative count of 20M flags): its first event and its
        # place among the leads ordered by their number of events, most first (leads without events come last).
        # 32-bit positions while they fit: half the memory traffic of the gathers over every event.
        index = np.int32 if n < 2**31 else np.int64
        counts = np.bincount(lead) if n else np.zeros(0, dtype=np.int64)
        first = (np.cumsum(counts) - counts).astype(index)
        place = np.empty(len(counts), dtype=index)
        place[np.argsort(-counts, kind="stable")] = np.arange(len(counts), dtype=index)
        rank = np.arange(n, dtype=index) - first[lead]
        widths = np.bincount(rank) if n else np.zeros(0, dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(widths)]).astype(index)
        rank_major = offsets[rank] + place[lead]

        codes_by_rank = np.empty_like(type_code)
        codes_by_rank[rank_major] = type_code
        return cls(types, lead, at, type_code, last_at_instant, rank_major, offsets, codes_by_rank)

    @cached_property
    def gap_days(self) -> np.ndarray:
        """Days since the lead's previous event, rank-major (0 at rank 0); only decay needs it, so built on demand."""
        gap = np.zeros(len(self), dtype=np.float64)
        if len(self) > 1:
            np.subtract(self.at[1:], self.at[:-1], out=gap[1:], casting="unsafe")
            gap[1:][self.lead[1:] != self.lead[:-1]] = 0.0
        by_rank = np.empty_like(gap)
        by_rank[self.rank_major] = gap / _DAY_US
        return by_rank

    def __len__(self) -> int:
        return len(self.lead)

    def behaviour_scores(self, points: Mapping[str, float], caps: Mapping[str, float],
                         half_life_days: float | None) -> np.ndarray:
        """Behaviour score just after each event (in event order): Σ_type min(cap, decayed points)."""
        weights = np.array([float(points.get(t, 0.0)) for t in self.types])
        cap_of = np.array([float(caps[t]) if caps.get(t) is not None else np.inf for t in self.types])
        factor = None
        if half_life_days is not None:
            with np.errstate(over="ignore"):  # a half-life of a split second: gaps of ∞ half-lives decay to 0
                factor = np.exp2(-self.gap_days / half_life_days)
        total = np.zeros(len(self), dtype=np.float64)
        uncapped = np.where(np.isinf(cap_of), weights, 0.0)
        if uncapped.any():
            total += self._scan(uncapped[self.codes_by_rank], factor)
        for code in np.flatnonzero(np.isfinite(cap_of) & (weights != 0)):
            stream = self._scan(np.where(self.codes_by_rank == code, weights[code], 0.0), factor)
            total += np.minimum(stream, cap_of[code])
        return total[self.rank_major]

    def _scan(self, values: np.ndarray, factor: np.ndarray | None) -> np.ndarray:
        """Running (decayed) sums per lead, in place over the rank-major values."""
        offsets = self.offsets
        scratch = np.empty(offsets[1] - offsets[0] if len(offsets) > 1 else 0)
        for k in range(1, len(offsets) - 1):
            start, end = offsets[k], offsets[k + 1]
            width = end - start
            previous = values[offsets[k - 1]: offsets[k - 1] + width]
            if factor is None:
                values[start:end] += previous
            else:
                carried = np.multiply(previous, factor[start:end], out=scratch[:width])
                values[start:end] += carried
        return values


def _in_lead_time_order(lead: np.ndarray, at: np.ndarray) -> bool:
    """Whether the events already run by (lead, time): one pass, far cheaper than sorting them again."""
    if len(lead) < 2:
        return True
    same_lead = lead[1:] == lead[:-1]
    return bool(np.all(lead[1:] >= lead[:-1]) and np.all(~same_lead | (at[1:] >= at[:-1])))


def _lead_time_order(lead: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The permutation that sorts events by (lead, time): one argsort of a packed 64-bit key when it fits."""
    if len(lead) == 0:
        return np.zeros(0, dtype=np.int64)
    lead_bits = int(lead.max()).bit_length()
    span = int(at.max()) - int(at.min())
    shift = max(0, span.bit_length() - (62 - lead_bits))  # drop low time bits until lead and time share 62
    key = (lead.astype(np.int64) << (62 - lead_bits)) | ((at - at.min()) >> shift)
    order = np.argsort(key)
    if shift:
        ordered_lead, ordered_at = lead[order], at[order]
        if np.any((ordered_lead[1:] == ordered_lead[:-1]) & (ordered_at[1:] < ordered_at[:-1])):
            order = np.lexsort((at, lead))  # sub-bucket times out of order: sort exactly
    return order
