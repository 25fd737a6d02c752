"""The demo forum's attached files, made in code so the demo needs no binary in the repository:
a one-page PDF of workshop notes and a small PNG bar chart. Both are complete, valid files (the
PDF's cross-reference table points at each object; the PNG's chunks carry their CRCs)."""
from __future__ import annotations

import struct
import zlib

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points


def _pdf_text(text: str) -> str:
    """TEXT as a PDF string literal (Helvetica's WinAnsi encoding: keep it to Latin-1)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"({escaped})"


def text_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF showing TITLE and LINES in Helvetica."""
    shown = [f"BT /F1 16 Tf 56 {PAGE_HEIGHT - 72} Td {_pdf_text(title)} Tj ET"]
    for number, line in enumerate(lines):
        y = PAGE_HEIGHT - 110 - 18 * number
        shown.append(f"BT /F1 11 Tf 56 {y} Td {_pdf_text(line)} Tj ET")
    content = "\n".join(shown).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
         "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bar_chart_png(values: list[int], *, height: int = 48, bar: int = 12, gap: int = 4) -> bytes:
    """A small RGB PNG: one bar per value (0-100, as a share of HEIGHT) on white."""
    width = gap + len(values) * (bar + gap)
    white, teal = b"\xff\xff\xff", b"\x0f\x6e\x6e"
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            index, within = divmod(x - gap, bar + gap)
            in_bar = x >= gap and within < bar and index < len(values)
            filled = in_bar and height - y <= values[index] * height // 100
            row += teal if filled else white
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))
