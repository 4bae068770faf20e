"""The collector settings storeconf changes while loading and reading are restored after."""

from __future__ import annotations

import gc

import pytest

from storeconf.gcpause import SELDOM, paused, seldom


def test_seldom_raises_the_young_threshold_and_restores_it_even_on_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), seldom():
        assert gc.get_threshold()[0] == max(before[0], SELDOM)
        assert gc.get_threshold()[1:] == before[1:]
        raise RuntimeError
    assert gc.get_threshold() == before


def test_paused_disables_the_collector_and_nests() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
