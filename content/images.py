"""Pixel sizes of images, read from their headers (nothing is decoded), and the limit.

A 12000 × 12000 PNG of one colour weighs a few kilobytes but takes 1.4 GB of memory and
seconds of CPU to decode (a booklet prints it): images beyond MAX_PIXELS are refused where
they come in, a course folder's (`content check`, the library) and a teacher's upload.
"""

from __future__ import annotations

import io
import warnings
from functools import lru_cache
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE  # 16.7 million: a 12-megapixel phone photo fits


class Unreadable(ValueError):
    """Not an image Pillow can read (or cut short)."""


def pixel_size(image: Path | bytes) -> tuple[int, int] | None:
    """(width, height) from the file's header; None when the header alone says it is a
    decompression bomb (beyond twice Pillow's own limit), which is too large anyway.

    A file's answer is kept while its size and time are unchanged: the library is read again
    every minute (teachers' courses), and its images with it.
    """
    if isinstance(image, bytes):
        return _header_size(io.BytesIO(image))
    try:
        stat = image.stat()
    except OSError as error:
        raise Unreadable(str(error)) from error
    return _file_size(image, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _file_size(path: Path, size: int, mtime_ns: int) -> tuple[int, int] | None:
    """pixel_size of a file as it was at (size, mtime_ns)."""
    return _header_size(path)


def _header_size(source: Path | io.BytesIO) -> tuple[int, int] | None:
    """pixel_size without the cache."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as picture:
                return picture.size
    except Image.DecompressionBombError:
        return None
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        raise Unreadable(str(error)) from error


def too_large(size: tuple[int, int] | None) -> bool:
    """Whether an image of this size is beyond the limit (None: beyond Pillow's own)."""
    return size is None or size[0] * size[1] > MAX_PIXELS
