"""The fuzz layer's time budget: an example slower than its budget fails the property, with a
message that says how long it took and how big its input was (issue 14)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.support import SlowExample, fuzz, input_size


def test_a_slow_example_fails_its_property_naming_the_input_size() -> None:
    @fuzz(3, budget=0.05)
    @given(text=st.text(alphabet="a", min_size=1000, max_size=1000))
    def example(text: str) -> None:
        time.sleep(0.1)

    with pytest.raises(SlowExample, match=r"over its budget of 0\.05 s, .* 1,000 characters"):
        example()


def test_what_a_property_draws_counts_in_the_size() -> None:
    @fuzz(3, budget=0.05)
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        data.draw(st.just("x" * 40))
        data.draw(st.just(["y" * 2, b"zz"]))
        time.sleep(0.1)

    with pytest.raises(SlowExample, match=r"for an input of 44 characters"):
        example()


def test_a_quick_property_passes_and_a_failure_stays_what_it_is() -> None:
    @fuzz(20, budget=5)
    @given(text=st.text())
    def quick(text: str) -> None:
        assert isinstance(text, str)

    quick()

    @fuzz(5, budget=5)
    @given(number=st.integers())
    def wrong(number: int) -> None:
        assert number != number

    with pytest.raises(AssertionError) as failure:
        wrong()
    assert not isinstance(failure.value, SlowExample)


def test_input_size_reads_through_containers() -> None:
    assert input_size({"a": ["bc", (b"d", 3)]}) == 1 + 2 + 1 + 1
