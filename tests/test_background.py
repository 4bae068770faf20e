"""`Background`: a call run in a child process (the base configuration of --changed-since)."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from storeconf import background, since
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


def test_a_fork_that_fails_falls_back_to_the_call_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")  # EAGAIN: RLIMIT_NPROC, a pids limit

    monkeypatch.setattr(os, "fork", no_fork)
    with Background(_pid_and, 1) as job:
        assert job.result() == (os.getpid(), 2)


class _TwoArguments(Exception):
    def __init__(self, path: str, line: int) -> None:
        super().__init__(f"{path}:{line}: bad")  # pickles, but does not unpickle


def _raises_two_arguments() -> None:
    raise _TwoArguments("a.yaml", 3)


def test_an_exception_that_does_not_unpickle_is_still_raised_as_itself() -> None:
    with Background(_raises_two_arguments) as job, pytest.raises(_TwoArguments, match=r"a\.yaml:3: bad"):
        job.result()


def _slow_load(*_: object) -> None:
    time.sleep(60)  # a 10k-product base configuration, still loading


def test_stopping_the_child_early_leaves_no_extracted_copy_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The working tree's configuration has an error (or Ctrl-C): the `with` is left early.
    monkeypatch.setattr(since, "load_project", _slow_load)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        data = b"version: 1\n"
        info = tarfile.TarInfo("storeconf.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with Background(since._load_archive, archive.getvalue(), "", "prod", "main"):
        deadline = time.monotonic() + 10
        while not list(tmp_path.glob("storeconf-base-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert list(tmp_path.glob("storeconf-base-*"))  # the child is loading
    assert list(tmp_path.glob("storeconf-base-*")) == []
