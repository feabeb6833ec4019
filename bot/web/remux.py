"""A voice note recorded as WebM (older Chromium browsers record nothing else) rewritten as
the Ogg Opus file every channel takes as a voice note (Telegram's sendVoice, WhatsApp's
audio/ogg, the course format's `.ogg`): the same Opus packets, only the box changes. No
decoding, no dependency: the WebM (Matroska) elements are walked for the Opus track's
header (CodecPrivate, the "OpusHead" packet) and its blocks; the packets go into Ogg pages
(RFC 3533, RFC 7845) with their granule positions counted from each packet's TOC byte.
"""

from __future__ import annotations

import struct

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_SEGMENT, _CLUSTER, _TRACKS, _TRACK_ENTRY = 0x18538067, 0x1F43B675, 0x1654AE6B, 0xAE
_BLOCK_GROUP, _SIMPLE_BLOCK, _BLOCK = 0xA0, 0xA3, 0xA1
_CODEC_ID, _CODEC_PRIVATE, _TRACK_NUMBER = 0x86, 0x63A2, 0xD7
_MASTERS = {_SEGMENT, _CLUSTER, _TRACKS, _TRACK_ENTRY, _BLOCK_GROUP}
_SERIAL = 0x494D4743  # "IMGC": one logical stream per file
_MAX_PACKETS = 100_000  # about half an hour of 20 ms packets: far over a voice note


class NotOpusWebm(ValueError):
    """The bytes are not a WebM file holding one Opus track this can rewrite."""


def is_webm(data: bytes) -> bool:
    """Whether the bytes start like a WebM (EBML) file."""
    return data.startswith(EBML_MAGIC)


def webm_to_ogg(data: bytes) -> bytes:
    """The Opus packets of a WebM file in an Ogg Opus file; `NotOpusWebm` otherwise."""
    head, _, packets = _read(data)
    if not head.startswith(b"OpusHead") or len(head) < 19 or not packets:
        raise NotOpusWebm("no Opus track")
    pages = [_page(head, 0, 0, 0x02), _page(_tags(), 0, 1, 0)]
    granule, sequence = 0, 2
    for number, packet in enumerate(packets):
        granule += _samples(packet)
        last = number == len(packets) - 1
        pages.append(_page(packet, granule, sequence, 0x04 if last else 0))
        sequence += 1
    return b"".join(pages)


def _read(data: bytes) -> tuple[bytes, int, list[bytes]]:
    """(OpusHead, track number, packets) of the file's Opus track."""
    if not is_webm(data):
        raise NotOpusWebm("not a WebM file")
    head, track = b"", 0
    packets: list[bytes] = []
    stack = [len(data)]  # where each open element ends
    at = 0
    entry: dict[int, bytes] = {}
    while at < len(data):
        while at >= stack[-1]:
            stack.pop()
        element, at = _vint(data, at, keep_marker=True)
        size, at = _size(data, at)
        end = stack[-1] if size is None else min(at + size, stack[-1])
        if element in _MASTERS:
            if element == _TRACK_ENTRY:
                entry = {}
            stack.append(end)
            continue
        body = data[at:end]
        at = end
        if element in (_CODEC_ID, _CODEC_PRIVATE, _TRACK_NUMBER):
            entry[element] = body
            if entry.get(_CODEC_ID) == b"A_OPUS" and _CODEC_PRIVATE in entry and not head:
                head = entry[_CODEC_PRIVATE]
                track = int.from_bytes(entry.get(_TRACK_NUMBER, b"\x01"), "big")
        elif element in (_SIMPLE_BLOCK, _BLOCK) and head:
            packets.extend(_block(body, track))
            if len(packets) > _MAX_PACKETS:
                raise NotOpusWebm("too many packets")
    return head, track, packets


def _vint(data: bytes, at: int, keep_marker: bool = False) -> tuple[int, int]:
    """An EBML variable-length integer at `at`, and where it ends."""
    if at >= len(data) or data[at] == 0:
        raise NotOpusWebm("bad element")
    first = data[at]
    length = 8 - first.bit_length() + 1
    if at + length > len(data):
        raise NotOpusWebm("cut element")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, at + length


def _size(data: bytes, at: int) -> tuple[int | None, int]:
    """An element's size (None: unknown, as a live recording writes it) and where it ends."""
    length = 8 - data[at].bit_length() + 1 if at < len(data) and data[at] else 0
    value, end = _vint(data, at)
    return (None if value == (1 << (7 * length)) - 1 else value), end


def _block(body: bytes, track: int) -> list[bytes]:
    """The frames of a (Simple)Block of our track: Chromium writes one, unlaced."""
    number, at = _vint(body, 0)
    if number != track or len(body) < at + 3:
        return []
    flags = body[at + 2]
    if flags & 0x06:
        raise NotOpusWebm("laced blocks")
    return [body[at + 3 :]] if len(body) > at + 3 else []


def _samples(packet: bytes) -> int:
    """How many 48 kHz samples an Opus packet holds (RFC 6716, 3.1: its TOC byte)."""
    toc = packet[0]
    config = toc >> 3
    if config < 12:
        frame = (480, 960, 1920, 2880)[config & 3]
    elif config < 16:
        frame = (480, 960)[config & 1]
    else:
        frame = (120, 240, 480, 960)[config & 3]
    count = toc & 3
    if count == 3:  # an arbitrary number of frames, said by the next byte
        return frame * (packet[1] & 0x3F if len(packet) > 1 else 0)
    return frame * (1 if count == 0 else 2)


def _tags() -> bytes:
    """The OpusTags packet: who wrote the file, no comments."""
    vendor = b"imaginecole"
    return b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)


def _page(packet: bytes, granule: int, sequence: int, flags: int) -> bytes:
    """One Ogg page holding one whole packet (a voice note's packets are small)."""
    lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
    if len(lacing) > 255:
        raise NotOpusWebm("packet too large")
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, flags, granule, _SERIAL, sequence, 0, len(lacing)
    ) + bytes(lacing)
    page = bytearray(header + packet)
    struct.pack_into("<I", page, 22, _crc(bytes(page)))
    return bytes(page)


def _crc_table() -> list[int]:
    """Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected: not zlib's)."""
    table = []
    for byte in range(256):
        value = byte << 24
        for _ in range(8):
            value = ((value << 1) ^ 0x04C11DB7) if value & 0x80000000 else value << 1
        table.append(value & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def _crc(data: bytes) -> int:
    """The page checksum."""
    value = 0
    for byte in data:
        value = ((value << 8) & 0xFFFFFFFF) ^ _CRC[(value >> 24) ^ byte]
    return value
