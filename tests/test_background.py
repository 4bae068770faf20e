"""`Background`: a call run in a child process (the base configuration of --changed-since)."""

from __future__ import annotations

import os
import time

import pytest

from storeconf import background
from storeconf.background import Background


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _fails() -> None:
    raise ValueError("no such thing")


def _dies_unless_in(pid: int) -> str:
    if os.getpid() != pid:
        os._exit(3)  # killed, out of memory: the child never answers
    return "done here"


def _sleeps() -> None:
    time.sleep(60)


def _unpicklable() -> object:
    return lambda: None


def test_the_call_runs_in_another_process_and_its_value_comes_back() -> None:
    with Background(_pid_and, 21) as job:
        pid, value = job.result()
    assert (pid != os.getpid(), value) == (True, 42)


def test_what_the_call_raises_is_raised_by_result() -> None:
    with Background(_fails) as job, pytest.raises(ValueError, match="no such thing"):
        job.result()


def test_a_child_that_dies_without_answering_is_replaced_by_the_call_here() -> None:
    with Background(_dies_unless_in, os.getpid()) as job:
        assert job.result() == "done here"


def test_where_no_child_process_can_start_the_call_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(background, "_context", refuse)
    with Background(_pid_and, 1) as job:
        assert job.result() == (os.getpid(), 2)


def test_a_value_that_cannot_be_sent_back_is_an_error_not_a_hang() -> None:
    with Background(_unpicklable) as job, pytest.raises(RuntimeError, match="pickle"):
        job.result()


def test_leaving_early_stops_the_child() -> None:
    job = Background(_sleeps)
    process = job._process
    assert process is not None and process.is_alive()
    with job:
        pass  # an error here (a config error in the working tree, Ctrl-C) leaves the block
    assert not process.is_alive()
