#!/usr/bin/env python3
"""Draws outforce's add-in icons (a white two-way arrow on a blue rounded square) as PNGs in
assets/icons/, at the sizes the manifests name. Run once when the design changes; the PNGs are
committed as source assets."""
import struct
import sys
import zlib
from pathlib import Path

BLUE = (1, 118, 211)
WHITE = (255, 255, 255)


def inside_rounded_square(x, y, n):
    r = n * 0.22
    cx = min(max(x, r), n - r)
    cy = min(max(y, r), n - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def on_arrows(x, y, n):
    u, v = x / n, y / n
    # Two arrows: the upper points right, the lower left (data going both ways).
    def arrow(v0, right):
        tip = 0.80 if right else 0.20
        back = (tip - u) if right else (u - tip)
        head = 0 <= back <= 0.2 and abs(v - v0) <= back * 0.8
        shaft = 0.2 <= back <= 0.6 and abs(v - v0) <= 0.05
        return head or shaft

    return arrow(0.36, True) or arrow(0.64, False)


def outline_pixel(x, y, n, samples=4):
    """The unified manifest's outline icon: the arrows in white on transparent."""
    hits = sum(
        on_arrows(x + (i + 0.5) / samples, y + (j + 0.5) / samples, n)
        for i in range(samples)
        for j in range(samples)
    )
    return WHITE + (round(255 * hits / (samples * samples)),)


def pixel(x, y, n, samples=4):
    cover = fill = 0
    for i in range(samples):
        for j in range(samples):
            px = x + (i + 0.5) / samples
            py = y + (j + 0.5) / samples
            if inside_rounded_square(px, py, n):
                cover += 1
                if on_arrows(px, py, n):
                    fill += 1
    total = samples * samples
    if cover == 0:
        return (0, 0, 0, 0)
    t = fill / cover
    rgb = tuple(round(b * (1 - t) + w * t) for b, w in zip(BLUE, WHITE))
    return rgb + (round(255 * cover / total),)


def png(n, draw=None):
    draw = draw or pixel
    rows = b"".join(
        b"\0" + b"".join(bytes(draw(x, y, n)) for x in range(n)) for y in range(n)
    )

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/icons")
    out.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 64, 80, 128, 192):
        (out / f"icon-{size}.png").write_bytes(png(size))
    (out / "icon-outline-32.png").write_bytes(png(32, outline_pixel))
