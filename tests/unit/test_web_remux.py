"""A WebM voice note (what older Chromium records) rewritten as Ogg Opus, packet for packet.

The fixture was recorded by Debian's Chromium (MediaRecorder, audio/webm;codecs=opus, 2.5 s
of its fake microphone); Chromium decodes the rewritten file to the same 2.46 s as the WebM.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from bot.web.remux import NotOpusWebm, _crc, is_webm, webm_to_ogg

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "voice-chromium.webm"


def pages(ogg: bytes) -> list[tuple[int, int, int, bytes]]:
    """(flags, granule, sequence, body) of each page, their checksums verified."""
    found, at = [], 0
    while at < len(ogg):
        assert ogg[at : at + 4] == b"OggS"
        flags, granule, _serial, sequence, crc, count = struct.unpack_from("<BqIIIB", ogg, at + 5)
        lacing = ogg[at + 27 : at + 27 + count]
        end = at + 27 + count + sum(lacing)
        page = bytearray(ogg[at:end])
        page[22:26] = b"\0\0\0\0"
        assert _crc(bytes(page)) == crc
        found.append((flags, granule, sequence, ogg[at + 27 + count : end]))
        at = end
    return found


def test_a_chromium_webm_voice_note_becomes_ogg_opus() -> None:
    webm = FIXTURE.read_bytes()
    assert is_webm(webm)
    ogg = webm_to_ogg(webm)
    read = pages(ogg)
    assert read[0][0] == 0x02 and read[0][3].startswith(b"OpusHead")  # beginning of stream
    assert read[1][3].startswith(b"OpusTags")
    assert read[-1][0] == 0x04  # end of stream
    assert [sequence for _, _, sequence, _ in read] == list(range(len(read)))
    assert read[-1][1] == 118_080  # 2.46 s at 48 kHz: 41 packets of 60 ms
    assert len(read) - 2 == 41
    assert all(body in webm for _, _, _, body in read[2:]), "the packets are the WebM's own"


@pytest.mark.parametrize(
    "bad",
    [b"", b"OggS\0\0", b"\x1a\x45\xdf\xa3", b"\x1a\x45\xdf\xa3\x80", FIXTURE.read_bytes()[:60]],
)
def test_what_is_not_an_opus_webm_is_refused(bad: bytes) -> None:
    with pytest.raises(NotOpusWebm):
        webm_to_ogg(bad)
