"""Matplotlib figures with Chinese labels that render: the project brings its own CJK font.

Matplotlib is imported on the first drawing, not with the module: most page loads draw nothing new. The
curriculum's own figures (the same for every trainee) are also kept on disk, so a page that shows them
reads a PNG instead of drawing it again in every new kernel.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import os
import textwrap
import warnings
from functools import lru_cache
from pathlib import Path

from platformdirs import user_cache_path

CACHE_VARIABLE = "TELESALES_CACHE"  # where drawn curriculum figures are kept (default: the user's cache dir)

CJK_FAMILY = "Noto Sans CJK SC"
# OFL-licensed Noto Sans CJK SC, shipped on PyPI inside the mplfonts wheel.
_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FUNNEL_COLOURS = ["#1f5f8b", "#2a7ab0", "#3b8fc7", "#2e8b57", "#4a4a8a"]
THIN_COLOUR = "#c9541d"
PALETTE = ["#1f5f8b", "#2a7ab0", "#3b8fc7", "#e08a1e", "#c9541d", "#2e8b57", "#4a4a8a"]


class FontMissing(RuntimeError):
    pass


def cjk_font_path() -> Path:
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing("the mplfonts package (Noto Sans CJK SC) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / _FONT_FILE
    if not path.exists():
        raise FontMissing(f"CJK font file not found: {path}")
    return path


@lru_cache(maxsize=1)
def _pyplot():
    """matplotlib.pyplot, headless, with the CJK font registered (imported on the first drawing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    setup_fonts()
    return plt


@lru_cache(maxsize=1)
def setup_fonts() -> str:
    """Register the bundled CJK font and make it matplotlib's first sans-serif choice."""
    import matplotlib
    from matplotlib import font_manager

    if os.environ.get("TELESALES_STRICT_GLYPHS"):
        # Tests and nbval set this: a missing glyph is then an error, not a silent box.
        warnings.filterwarnings("error", message=r"Glyph .* missing")
    font_manager.fontManager.addfont(str(cjk_font_path()))
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    return CJK_FAMILY


def _patches():
    from matplotlib import patches

    return patches


def _wrap(label: str, latin_width: int = 13, cjk_width: int = 6) -> str:
    is_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in label)
    if is_cjk:
        return "\n".join(label[i:i + cjk_width] for i in range(0, len(label), cjk_width))
    return textwrap.fill(label, latin_width, break_long_words=False)


def to_png(fig) -> bytes:
    """The figure as a PNG with a 256-colour palette: a third of the bytes of a full-colour one, and charts
    with a few flat colours look the same (the page carries the image inline, so bytes are load time)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    palette = Image.open(buffer).quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    small = io.BytesIO()
    palette.save(small, format="PNG", optimize=True)
    return small.getvalue()


@lru_cache(maxsize=1)
def _drawing_version() -> str:
    """Changes whenever this file (how figures are drawn) changes: older cached PNGs are then not used."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _kept_on_disk(draw):
    """Curriculum figures (pure functions of their labels): drawn once per machine and language, then read."""
    @functools.wraps(draw)
    def cached(*args):
        key = hashlib.sha256(repr((draw.__name__, args, _drawing_version())).encode("utf-8")).hexdigest()[:32]
        folder = Path(os.environ.get(CACHE_VARIABLE) or user_cache_path("telesales-training", appauthor=False))
        path = folder / "figures" / f"{key}.png"
        try:
            return path.read_bytes()
        except OSError:
            pass
        png = draw(*args)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(png)
            part.replace(path)  # whole files only, also with several kernels drawing at once
        except OSError:
            pass  # no writable cache: draw again next time
        return png
    return lru_cache(maxsize=32)(cached)


@_kept_on_disk
def decision_stages_png(labels: tuple[str, ...], annotation: str | None = None,
                        markers: tuple[tuple[int, str], ...] = ()) -> bytes:
    """The customer's decision process as a staircase of stages, earlier pain feeding evaluation."""
    setup_fonts()
    count = len(labels)
    fig, ax = _pyplot().subplots(figsize=(10, 4.2))
    width, height = 1.5, 0.8
    centres = [(i * 1.7, i * 0.45) for i in range(count)]
    for i, ((x, y), label) in enumerate(zip(centres, labels)):
        colour = PALETTE[i % len(PALETTE)]
        ax.add_patch(_patches().FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                    boxstyle="round,pad=0.03,rounding_size=0.12",
                                    facecolor=colour, edgecolor="white", linewidth=1.5))
        ax.text(x, y, f"{i + 1}\n{_wrap(label)}", ha="center", va="center", color="white",
                fontsize=9, linespacing=1.15)
        if i:
            (px, py) = centres[i - 1]
            ax.add_patch(_patches().FancyArrowPatch((px + width / 2, py), (x - width / 2, y),
                                         arrowstyle="-|>", mutation_scale=12, color="#555555"))
    if annotation and count >= 5:
        (x2, y2), (x5, y5) = centres[1], centres[4]
        ax.add_patch(_patches().FancyArrowPatch((x2, y2 - height / 2), (x5, y5 - height / 2),
                                     connectionstyle="arc3,rad=0.35", arrowstyle="-|>",
                                     mutation_scale=12, color="#c9541d", linestyle="--"))
        ax.text((x2 + x5) / 2, min(y2, y5) - 0.95, annotation, ha="center", va="top",
                fontsize=9.5, color="#c9541d")
    for stage, label in markers:
        x, y = centres[stage - 1]
        ax.annotate(_wrap(label, latin_width=16, cjk_width=9), xy=(x, y + height / 2 + 0.05),
                    xytext=(x, y + height / 2 + 0.95), ha="center", va="bottom", fontsize=9, color="#1b4965",
                    arrowprops={"arrowstyle": "-|>", "color": "#1b4965", "lw": 1.5})
    top = centres[-1][1] + (1.9 if markers else 0.6)
    ax.set_xlim(-0.9, centres[-1][0] + 0.9)
    ax.set_ylim(-1.5 if annotation else -0.6, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return to_png(fig)


@_kept_on_disk
def flow_png(lanes: tuple[tuple[str, tuple[str, ...]], ...]) -> bytes:
    """One row of boxes and arrows per lane (e.g. inbound and outbound calls), the lane title on the left."""
    setup_fonts()
    longest = max(len(steps) for _title, steps in lanes)
    fig, ax = _pyplot().subplots(figsize=(1.75 * longest + 2.2, 1.75 * len(lanes) + 0.3))
    width, height, step_x = 1.4, 0.95, 1.75
    for row, (title, steps) in enumerate(lanes):
        y = -row * 1.75
        ax.text(-0.35, y, _wrap(title, latin_width=10, cjk_width=4), ha="right", va="center", fontsize=11,
                fontweight="bold", color=PALETTE[row * 3 % len(PALETTE)])
        for i, step in enumerate(steps):
            x = 0.75 + i * step_x
            ax.add_patch(_patches().FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                        boxstyle="round,pad=0.03,rounding_size=0.12",
                                        facecolor=PALETTE[(row * 3 + i) % len(PALETTE)], edgecolor="white"))
            ax.text(x, y, _wrap(step, latin_width=13, cjk_width=6), ha="center", va="center", color="white",
                    fontsize=8.5, linespacing=1.15)
            if i:
                ax.add_patch(_patches().FancyArrowPatch((x - step_x + width / 2, y), (x - width / 2, y), arrowstyle="-|>",
                                             mutation_scale=12, color="#555555"))
    ax.set_xlim(-2.0, 0.75 + (longest - 1) * step_x + 0.9)
    ax.set_ylim(-(len(lanes) - 1) * 1.75 - 0.7, 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return to_png(fig)


@lru_cache(maxsize=64)
def funnel_png(labels: tuple[str, ...], counts: tuple[int, ...], thin: tuple[int, ...], title: str) -> bytes:
    """An inverted triangle: one centred bar per layer, width ∝ count (a sliver when empty); thin layers in red."""
    setup_fonts()
    top = max(max(counts), 1)
    fig, ax = _pyplot().subplots(figsize=(8, 4.2))
    for row, (label, count) in enumerate(zip(labels, counts)):
        width = max(count / top, 0.02)
        colour = THIN_COLOUR if row in thin else FUNNEL_COLOURS[row % len(FUNNEL_COLOURS)]
        ax.barh(-row, width, left=(1 - width) / 2, height=0.8, color=colour, edgecolor="white")
        ax.text(0.5, -row, f"{count:,}", ha="center", va="center", color="white" if width > 0.12 else "#222",
                fontsize=11, fontweight="bold")
        ax.text(-0.02, -row, label, ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.55, 1.02)
    ax.set_ylim(-len(counts) + 0.4, 0.6)
    ax.set_title(title, fontsize=12)
    ax.axis("off")
    return to_png(fig)


@lru_cache(maxsize=64)
def funnel_history_png(labels: tuple[str, ...], snapshots: tuple[tuple[str, tuple[int, ...]], ...],
                       title: str) -> bytes:
    """Each layer's count over the saved snapshots (one line per layer)."""
    setup_fonts()
    fig, ax = _pyplot().subplots(figsize=(8, 3.6))
    dates = [day for day, _counts in snapshots]
    for layer, label in enumerate(labels):
        ax.plot(range(len(dates)), [counts[layer] for _d, counts in snapshots], marker="o",
                color=PALETTE[layer % len(PALETTE)], label=label)
    ax.set_xticks(range(len(dates)), dates, rotation=30, ha="right", fontsize=8)
    ax.set_title(title, fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_png(fig)


BAND_COLOURS = {"on_track": "#2e8b57", "behind": "#e0a21e", "at_risk": "#c9541d"}


@lru_cache(maxsize=64)
def calls_vs_target_png(labels: tuple[str, ...], counts: tuple[int, ...], targets: tuple[int, ...],
                        bands: tuple[str, ...], title: str, actual: str, planned: str) -> bytes:
    """Bars of actual calls (coloured by pacing band) against the target line, per day or per week."""
    setup_fonts()
    fig, ax = _pyplot().subplots(figsize=(8, 3.4))
    positions = range(len(labels))
    ax.bar(positions, counts, color=[BAND_COLOURS[b] for b in bands], label=actual)
    ax.plot(positions, targets, color="#1b4965", marker="_", markersize=30, linestyle="none", label=planned)
    for x, count in zip(positions, counts):
        ax.text(x, count, f"{count}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(list(positions), labels, fontsize=9)
    ax.set_title(title, fontsize=12)
    ax.set_ylim(0, max(max(counts, default=0), max(targets, default=0), 1) * 1.18)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_png(fig)


@lru_cache(maxsize=64)
def radar_png(labels: tuple[str, ...], profiles: tuple[tuple[str, tuple[int, ...]], ...], title: str) -> bytes:
    """Ratings (1–5) on a radar; the last profile is drawn strong, earlier ones faded (the history)."""
    import math

    setup_fonts()
    angles = [2 * math.pi * i / len(labels) for i in range(len(labels))]
    fig, ax = _pyplot().subplots(figsize=(6.2, 5.2), subplot_kw={"projection": "polar"})
    for index, (name, ratings) in enumerate(profiles):
        latest = index == len(profiles) - 1
        values = list(ratings) + [ratings[0]]
        ax.plot(angles + angles[:1], values, color="#1f5f8b" if latest else "#e08a1e",
                linewidth=2.2 if latest else 1.2, linestyle="-" if latest else "--",
                alpha=1 if latest else 0.45 + 0.4 * index / max(len(profiles), 1),
                label=name, marker="o" if latest else None)
        if latest:
            ax.fill(angles + angles[:1], values, color="#1f5f8b", alpha=0.18)
    ax.set_xticks(angles, [_wrap(label, latin_width=16, cjk_width=7) for label in labels], fontsize=9)
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_title(title, fontsize=12, pad=18)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.05, 1.1))
    return to_png(fig)
