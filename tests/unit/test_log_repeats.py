"""A flood of one log line is summarised; ordinary varied lines all go through."""

from __future__ import annotations

import logging

from bot.log_repeats import RepeatFilter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def logger_with_filter(name: str, limit: int = 3) -> tuple[logging.Logger, Collect, Clock]:
    clock = Clock()
    handler = Collect()
    handler.addFilter(RepeatFilter(limit, 60.0, clock))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, handler, clock


def test_a_flood_of_one_warning_is_summarised_once_the_minute_is_over() -> None:
    log, out, clock = logger_with_filter("test.repeats.flood")
    for n in range(2000):  # the same problem, different arguments
        log.warning("connection refused: too many open (address cap) open=%d", n)
    assert len(out.lines) == 3
    clock.now += 61
    log.warning("connection refused: too many open (address cap) open=%d", 1)
    assert out.lines[3] == (
        "suppressed 1997 similar lines in 61s: connection refused: too many open "
        "(address cap) open=%d"
    )
    assert out.lines[4].startswith("connection refused")


def test_the_summary_comes_with_any_later_line_when_the_flood_stopped() -> None:
    log, out, clock = logger_with_filter("test.repeats.stopped")
    for _ in range(10):
        log.info("web chat socket closed: no hello in time")
    clock.now += 61
    log.info("something else entirely")
    assert "suppressed 7 similar lines in 61s: web chat socket closed: no hello in time" in (
        out.lines
    )


def test_per_turn_lines_that_differ_all_go_through() -> None:
    log, out, _ = logger_with_filter("test.repeats.turns")
    for n in range(100):
        log.info("handled channel=web user=%s ms=%.1f", f"u{n}", 4.2)
    assert len(out.lines) == 100


def test_a_limit_of_zero_lets_everything_through() -> None:
    log, out, _ = logger_with_filter("test.repeats.off", limit=0)
    for _ in range(100):
        log.error("same")
    assert len(out.lines) == 100


def test_the_process_logging_is_filtered() -> None:
    from bot.logs import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO", "json", repeat_limit=5)
        (handler,) = root.handlers
        (repeats,) = [f for f in handler.filters if isinstance(f, RepeatFilter)]
        assert repeats.limit == 5
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
