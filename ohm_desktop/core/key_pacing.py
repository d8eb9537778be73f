"""Learning one key's limits from what the gateway does, when it sends no rate-limit headers.

Bytez documents limits (one request in flight per key on free-tier open models, ~10 requests/s
for closed models) but sends no ``x-ratelimit-*`` headers and often no ``Retry-After``. Backing
off on a guess after each 429 then wastes most of a key. Instead each key gets a
:class:`KeyPacer` that watches its answers and paces the key to what it learned:

* **Refill rate** from the spacing of 429s: when the gateway refuses a request for its rate,
  the key's bucket is empty; between two such refusals it served exactly what refilled, so
  ``successes between them / time between them`` is the refill rate (within one request over
  the window). Requests are placed by the time they were *sent* (when the gateway counted
  them), and a window is only used once every request sent inside it has been answered, so
  slow answers do not hide successes.
* **Concurrency** from 429s that arrive for a request sent while others were in flight on that
  key, when no rate refusal lands in the same moment: the gateway refused the ``k+1``-th
  concurrent request, so at most ``k`` may be in flight. Now and then one more is tried, so a limit that
  was raised (or a misread) is found again.
* **Pacing**: a token bucket per key at the learned rate (the bucket holds one request:
  spacing, no burst), each token jittered so keys do not fire in lockstep; a paced request
  that is refused anyway was just early, so the key is retried after a tenth of an interval;
  after a run of successes the rate is stepped up, so a limit that was raised is found again.

Headers win: a key whose answers carry ``x-ratelimit-*`` headers is paced on them by the pool,
and a ``Retry-After`` (integer or fractional seconds) sets the cool-down and when the bucket is
ready; the pacer still learns from both.
"""

from __future__ import annotations

import bisect
import collections
import math
from dataclasses import dataclass, field
from typing import Literal

Refusal = Literal["rate", "concurrency"]

# Each request costs 1 ± 0.02 tokens: keys (and other clients) do not fire in lockstep, and no
# request leaves so early that a bucket just short of a token refuses it.
_JITTER = 0.04
_WINDOW_REJECTIONS = 8  # estimate over the last few rate refusals (smooths, still adapts)
_HORIZON_S = 60.0  # forget what is older
# Paced at the learned rate a key is never refused, so this many successes in a row step the
# rate up a little: a limit that was raised (or underestimated) is found within seconds, and the
# refusal that the steps eventually meet re-measures the rate (≈1 extra upstream call per 30).
_GROW_AFTER_OK = 30
_GROWTH = 1.05
_CONCURRENCY_PROBE_AFTER = 50  # successes at the learned concurrency before trying one more
_SAME_MOMENT_S = 1.0  # refusals this close together are read as one event
_RETRY_FRACTION = 0.1  # after a paced refusal, retry the key after this share of an interval
_MIN_SERVED_TO_RAISE = 8  # successes a window needs before it may raise the rate
_MIN_SERVED_TO_LOWER = 2
_FIRST_GUESS_SPAN_S = 1.0


@dataclass(slots=True)
class KeyPacer:
    """One key's learned limits and its token bucket. All times are the pool's clock."""

    rate: float | None = None  # requests/s the key refills; None until a rate refusal is seen
    concurrency: int | None = None  # requests the key may have in flight; None until refused for it
    tokens: float = 1.0
    refilled_at: float = 0.0
    _outstanding: list[float] = field(default_factory=list)  # send times of requests in flight
    _settled: collections.deque[tuple[float, bool]] = field(default_factory=collections.deque)
    _rejections: list[float] = field(default_factory=list)  # send times of rate refusals, sorted
    _used_rejection: float = -math.inf  # the newest refusal already in the estimate
    _ok_since_rejection: int = 0
    _refusals_in_row: int = 0
    _ok_at_concurrency: int = 0
    _concurrency_probe_after: int = _CONCURRENCY_PROBE_AFTER
    # Refusals read as "too many in flight" in the last moment, and the limit before them: a
    # rate refusal right next to them means the bucket was empty, so they were rate refusals too.
    _suspects: list[float] = field(default_factory=list)
    _concurrency_before: int | None = None

    # ----------------------------------------------------------- pacing
    def _refill(self, now: float) -> None:
        if self.rate is not None and now > self.refilled_at:
            self.tokens = min(1.0, self.tokens + (now - self.refilled_at) * self.rate)
        self.refilled_at = max(self.refilled_at, now)

    def allows(self, now: float, in_flight: int) -> bool:
        """Whether the key may send one more request now, by what was learned."""
        if self.concurrency is not None and in_flight >= self.concurrency:
            return False
        self._refill(now)
        return self.rate is None or self.tokens >= 1.0 - 1e-9

    def ready_in(self, now: float) -> float:
        """Seconds until the bucket holds a token again (0 when it does)."""
        self._refill(now)
        if self.rate is None or self.tokens >= 1.0 - 1e-9:
            return 0.0
        return (1.0 - self.tokens) / (self.rate)

    def ready_after(self, now: float, seconds: float) -> None:
        """The gateway said when to try again (Retry-After): the bucket is ready exactly then."""
        if self.rate is not None:
            self.tokens, self.refilled_at = 1.0 - seconds * self.rate, now

    def sent(self, now: float, jitter: float) -> None:
        """A request leaves on this key now; ``jitter`` is uniform in [0, 1)."""
        self._refill(now)
        if self.rate is not None:
            self.tokens -= 1.0 + _JITTER * (jitter - 0.5)
        bisect.insort(self._outstanding, now)

    # ---------------------------------------------------------- learning
    def answered(self, sent_at: float, now: float, *, ok: bool) -> None:
        """An answer that says nothing about limits (``ok``) or a failure that is not a 429."""
        self._settle(sent_at)
        if ok:
            self._refusals_in_row = 0
            self._record(sent_at, True)
            self._ok_since_rejection += 1
            if self.rate is not None and self._ok_since_rejection >= _GROW_AFTER_OK:
                self.rate *= _GROWTH
                self._ok_since_rejection = 0
            self._count_at_concurrency()
        self._learn(now)

    def rate_limited(self, sent_at: float, now: float, *, in_flight_at_send: int) -> Refusal:
        """A 429 for a request sent at ``sent_at``: what it says about the key's limits.

        ``"concurrency"``: the key may serve again as soon as one in flight ends; ``"rate"``:
        its bucket is empty, :meth:`ready_in` says for how long (0 while no rate is known).
        """
        self._settle(sent_at)
        self._suspects = [t for t in self._suspects if abs(t - sent_at) <= _SAME_MOMENT_S]
        rate_refusal_now = any(abs(t - sent_at) <= _SAME_MOMENT_S for t in self._rejections[-4:])
        if in_flight_at_send >= 1 and not rate_refusal_now:
            # Refused although the bucket had room: the gateway counts requests in flight.
            self._concurrency_refused(sent_at, in_flight_at_send)
            return "concurrency"
        if self._suspects:
            self.concurrency, self._suspects = self._concurrency_before, []
        self._record(sent_at, False)
        if self._refusals_in_row == 0:
            # The first refusal after a success marks the moment the bucket ran dry; the retries
            # that follow it only find out when it holds one again.
            bisect.insort(self._rejections, sent_at)
        self._ok_since_rejection = 0
        self._learn(now)
        first = self.rate is None
        if first:
            self._estimate_from_first(sent_at)
        # Paced, the request left as the bucket was about to hold one: it is probably just short,
        # so try again after a tenth of an interval, doubling while refusals go on.
        self._refusals_in_row += 1
        shortfall = 1.0 if first else min(1.0, _RETRY_FRACTION * 2 ** (self._refusals_in_row - 1))
        self.tokens, self.refilled_at = 1.0 - shortfall, now
        return "rate"

    def _settle(self, sent_at: float) -> None:
        index = bisect.bisect_left(self._outstanding, sent_at)
        if index < len(self._outstanding) and self._outstanding[index] == sent_at:
            self._outstanding.pop(index)
        elif self._outstanding:
            self._outstanding.pop(0)

    def _record(self, sent_at: float, ok: bool) -> None:
        settled = self._settled
        if not settled or settled[-1][0] <= sent_at:
            settled.append((sent_at, ok))
        else:
            items = list(settled)
            bisect.insort(items, (sent_at, ok))
            settled.clear()
            settled.extend(items)
        while settled and (len(settled) > 4096 or settled[0][0] < sent_at - _HORIZON_S):
            settled.popleft()

    def _learn(self, now: float) -> None:
        """Re-estimate the rate from refusals whose windows are fully answered."""
        horizon = self._outstanding[0] if self._outstanding else math.inf
        recent = [t for t in self._rejections if now - _HORIZON_S <= t <= horizon]
        self._rejections = [t for t in self._rejections if t >= now - _HORIZON_S]
        if len(recent) < 2 or recent[-1] <= self._used_rejection:
            return
        window = recent[-_WINDOW_REJECTIONS:]
        start, end = window[0], window[-1]
        if end - start <= 0:
            return
        served = sum(1 for sent, ok in self._settled if ok and start < sent < end)
        lower = self.rate is not None and served / (end - start) < self.rate
        if 0 < served < (_MIN_SERVED_TO_LOWER if lower else _MIN_SERVED_TO_RAISE):
            # ±1 request over a short window is coarse: raising the rate on it would cost refusals,
            # so that waits for a longer window; refusals coming thick and fast lower it sooner.
            return
        self._used_rejection = end
        if served == 0:
            # Two refusals and nothing served between them: less than one refill in the gap.
            self.rate = min(self.rate or math.inf, 1.0 / (end - start))
        else:
            # Between two empty-bucket moments the key served what refilled (within one request,
            # either way: no bias, so no drift; a low estimate is stepped up by _GROW_AFTER_OK).
            self.rate = served / (end - start)

    def _estimate_from_first(self, rejected_at: float) -> None:
        """A first guess at the first refusal: what the key served in the second before it.

        Gateways size buckets to about a second of requests, so a bucket that just ran dry
        served about a second's worth in that second (more if it was full): a guess on the high
        side, which the next refusals correct, where a low one would idle the key.
        """
        served = sum(1 for sent, ok in self._settled if ok and rejected_at - _FIRST_GUESS_SPAN_S <= sent <= rejected_at)
        # Nothing served: no rate to guess (the pool backs off instead, or follows Retry-After).
        self.rate = served / _FIRST_GUESS_SPAN_S if served else None

    def _concurrency_refused(self, sent_at: float, in_flight_at_send: int) -> None:
        if not self._suspects:
            self._concurrency_before = self.concurrency
        self._suspects.append(sent_at)
        if self.concurrency is not None and in_flight_at_send >= self.concurrency:
            # A probe one above the limit failed: try again less often.
            self._concurrency_probe_after = min(self._concurrency_probe_after * 2, 3200)
        self.concurrency = min(self.concurrency or in_flight_at_send, in_flight_at_send)
        self._ok_at_concurrency = 0

    def _count_at_concurrency(self) -> None:
        if self.concurrency is None:
            return
        self._ok_at_concurrency += 1
        if self._ok_at_concurrency >= self._concurrency_probe_after:
            self.concurrency += 1
            self._ok_at_concurrency = 0

    def forget(self) -> None:
        """Start over (the user re-entered the key, or ``ohm keys test``)."""
        self.rate = self.concurrency = None
        self.tokens, self._refusals_in_row = 1.0, 0
        self._settled.clear()
        self._rejections.clear()
        self._used_rejection = -math.inf
        self._ok_since_rejection = self._ok_at_concurrency = 0
        self._concurrency_probe_after = _CONCURRENCY_PROBE_AFTER
        self._suspects, self._concurrency_before = [], None
