"""The collector storeconf pauses while loading, reading and applying runs again after."""

from __future__ import annotations

import gc

import pytest

from storeconf.gcpause import paused


def test_paused_disables_the_collector_and_nests() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_resumes_the_collector_even_on_error() -> None:
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError
    assert gc.isenabled()
