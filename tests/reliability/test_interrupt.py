"""Point 4: Ctrl-C stops starting changes, lets those in flight finish, reports, exits 130;
a second Ctrl-C aborts the ones in flight."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path

import httpx

from storeconf.kinds import REGISTRY
from tests.conftest import Cli, Recorder
from tests.reliability.support import counts_of


class CtrlC(httpx.AsyncBaseTransport):
    """Presses Ctrl-C while the `at`-th product create is in flight (`times` presses).

    Every request yields to the event loop first, as one over a network does: the in-process
    sandbox answers without ever suspending, so the loop would not see the signal until the
    whole group had run."""

    def __init__(self, inner: httpx.AsyncBaseTransport, at: int, times: int) -> None:
        self.inner, self.at, self.times, self.creates = inner, at, times, 0
        self.after: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        if self.creates >= self.at:
            self.after.append(f"{request.method} {request.url.path}")
        if request.method == "POST" and request.url.path.endswith("/v3/catalog/products"):
            self.creates += 1
            if self.creates == self.at:
                for _ in range(self.times):
                    signal.raise_signal(signal.SIGINT)
                    await asyncio.sleep(0.01)  # a keypress takes the loop a turn to notice
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def pressing(at: int, times: int) -> tuple[Recorder, list[CtrlC]]:
    seen: list[CtrlC] = []

    class Pressing(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            seen.append(CtrlC(inner, at, times))
            return super().wrap(seen[-1])

    return Pressing(), seen


def test_ctrl_c_finishes_in_flight_reports_and_exits_130(example: Path, recorder: Recorder) -> None:
    pressed, transports = pressing(at=3, times=1)
    result = Cli(example, pressed)("apply", "--auto-approve")

    assert result.exit_code == 130, result.output
    assert "Interrupted: no new change starts" in result.stderr
    assert "Apply interrupted: nothing was started after Ctrl-C." in result.stderr
    applied, failed, not_started = counts_of(result.stderr, "Applied", "Failed", "Not started")
    assert failed == 0 and applied > 0 and not_started > 0
    # No product create starts once the loop has seen the keypress: only those already under
    # way (the kind runs `concurrency` at a time, and a few more start in the turn the loop
    # takes to notice) still send theirs; without the halt all 43 after the third would.
    in_flight = REGISTRY["products"].concurrency
    late_creates = [r for r in transports[0].after if r == "POST /stores/local/v3/catalog/products"]
    assert len(late_creates) < 2 * in_flight < 43
    assert not_started > 43 - 2 * in_flight

    # Exactly the changes not started are left: as objects, and in the JSON summary, which
    # counts nested parts as the text headline does.
    replan = Cli(example, recorder)("plan", "--format", "json")
    body = json.loads(replan.stdout)
    assert len(body["changes"]) == not_started
    text = Cli(example, recorder)("plan").stdout
    creates = int(re.search(r"Plan[^:]*: (\d+) to create, 0 to update, 0 to delete", text).group(1))
    assert body["summary"] == {"create": creates, "update": 0, "delete": 0} and creates > not_started
    assert Cli(example, recorder)("apply", "--auto-approve").exit_code == 0
    assert Cli(example, recorder)("plan", "--detailed-exitcode").exit_code == 0


def test_second_ctrl_c_aborts_what_is_in_flight(example: Path, recorder: Recorder) -> None:
    pressed, _ = pressing(at=3, times=2)
    result = Cli(example, pressed)("apply", "--auto-approve")

    assert result.exit_code == 130, result.output
    assert "aborted by a second Ctrl-C while in flight" in result.stderr
    applied, failed, not_started = counts_of(result.stderr, "Applied", "Failed", "Not started")
    assert failed > 0 and applied + failed + not_started > 60
    # Whatever the abort left half-done, a plain apply finishes the job.
    assert Cli(example, recorder)("apply", "--auto-approve").exit_code == 0
    assert Cli(example, recorder)("plan", "--detailed-exitcode").exit_code == 0
