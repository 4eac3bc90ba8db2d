"""Matplotlib figures with Chinese labels that render: the project brings its own CJK font.

Matplotlib is imported on the first drawing, not with the module: most page loads draw nothing new. The
curriculum's own figures (the same for every trainee) are also kept on disk, so a page that shows them
reads a PNG instead of drawing it again in every new kernel.
"""

from __future__ import annotations

import functools
import hashlib
import io
import textwrap
import warnings
from functools import lru_cache
from pathlib import Path

from ..core.paths import cache_dir, read_cached, write_cached
from ..core.settings import settings

CACHE_VARIABLE = "TELESALES_CACHE"  # where drawn curriculum figures are kept (default: the user's cache dir)

# Noto Sans CJK (SIL Open Font License), the collection shipped on PyPI as noto-cjk-sans-otc: one file with the
# Simplified (SC) and Traditional (TC) Chinese faces. zh-TW figures are drawn with the TC face.
CJK_FAMILY = "Noto Sans CJK SC"
TRADITIONAL_FAMILY = "Noto Sans CJK TC"
FUNNEL_COLOURS = ["#1f5f8b", "#2a7ab0", "#3b8fc7", "#2e8b57", "#4a4a8a"]
THIN_COLOUR = "#c9541d"
PALETTE = ["#1f5f8b", "#2a7ab0", "#3b8fc7", "#e08a1e", "#c9541d", "#2e8b57", "#4a4a8a"]


class FontMissing(RuntimeError):
    pass


def cjk_font_path() -> Path:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise FontMissing("the noto-cjk-sans-otc package (Noto Sans CJK) is not installed") from None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.exists():
        raise FontMissing(f"CJK font file not found: {path}")
    return path


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def family_for(texts: list[str]) -> str:
    """The Chinese face for a figure's texts: Traditional when any of them is written in Traditional characters
    (a zh-TW page), else Simplified (zh-CN, and the Chinese names in English pages)."""
    joined = "".join(texts)
    return TRADITIONAL_FAMILY if joined != _to_simplified().convert(joined) else CJK_FAMILY


@lru_cache(maxsize=1)
def pyplot():
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

    if settings().strict_glyphs:
        # Tests and nbval set this: a missing glyph is then an error, not a silent box.
        warnings.filterwarnings("error", message=r"Glyph .* missing")
    font_manager.fontManager.addfont(str(cjk_font_path()))
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [CJK_FAMILY, TRADITIONAL_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    return CJK_FAMILY


def _patches():
    from matplotlib import patches

    return patches


# Where a line of Chinese may break: after these marks, or before an opening bracket.
_CJK_BREAK_AFTER = "/／·、，,；;：:）)"
_CJK_BREAK_BEFORE = "（("


def _is_cjk(label: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in label)


def cjk_lines(label: str, width: int) -> list[str]:
    """Chinese wrapped at most `width` characters a line, at punctuation when there is one (never inside
    "市场"), else into lines of even length (a 7-character label in 4 + 3, not 6 + 1)."""
    if len(label) <= width:
        return [label]
    breaks = [i + 1 for i, ch in enumerate(label[:-1]) if ch in _CJK_BREAK_AFTER]
    breaks += [i for i, ch in enumerate(label) if ch in _CJK_BREAK_BEFORE and i]
    fitting = [i for i in breaks if i <= width]
    if fitting:
        cut = max(fitting, key=lambda i: min(i, len(label) - i))  # the most even cut that fits
        return [label[:cut], *cjk_lines(label[cut:], width)]
    lines = -(-len(label) // width)
    size = -(-len(label) // lines)
    return [label[i : i + size] for i in range(0, len(label), size)]


def title_lines(title: str, cjk_width: int) -> str:
    """A title wrapped for a phone-shaped chart: Chinese by cjk_lines, other scripts between words (a Latin
    letter takes about half a Chinese character's width)."""
    if _is_cjk(title):
        return "\n".join(cjk_lines(title, cjk_width))
    return textwrap.fill(title, int(cjk_width * 1.8), break_long_words=False)


def _wrap(label: str, latin_width: int = 13, cjk_width: int = 6) -> str:
    if _is_cjk(label):
        return "\n".join(cjk_lines(label, cjk_width))
    return textwrap.fill(label, latin_width, break_long_words=False)


def to_png(fig) -> bytes:
    """The figure as a PNG with a 256-colour palette: a third of the bytes of a full-colour one, and charts
    with a few flat colours look the same (the page carries the image inline, so bytes are load time)."""
    import matplotlib
    from PIL import Image

    family = family_for(_texts(fig))
    buffer = io.BytesIO()
    with matplotlib.rc_context({"font.sans-serif": [family, "DejaVu Sans"]}):  # the fonts are chosen as it draws
        # (uncompressed: this PNG is only read back here, to be made small below)
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", pil_kwargs={"compress_level": 0})
    pyplot().close(fig)
    palette = Image.open(buffer).quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    small = io.BytesIO()
    palette.save(small, format="PNG", optimize=True)
    return small.getvalue()


def _axes_off(ax) -> None:
    """No axis lines, ticks or labels (a diagram, not a plot). The axes are hidden too: matplotlib otherwise makes
    their ticks at every draw to place the title clear of them (a fifth of drawing a chart, for ticks never
    drawn); the picture is the same to the byte (checked against every figure of the course)."""
    ax.axis("off")
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)


def _texts(figure) -> list[str]:
    """The texts of a figure, as `findobj(Text)` finds them, without asking an axes whose axis lines are off for its
    ticks (matplotlib makes the ticks when asked: a fifth of drawing a chart, for labels that are never drawn)."""
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    found: list[str] = []

    def walk(artist) -> None:
        if isinstance(artist, Text):
            found.append(artist.get_text())
        hidden_axes = isinstance(artist, Axes) and not artist.axison
        for child in artist.get_children():
            if not (hidden_axes and isinstance(child, Axis)):
                walk(child)

    walk(figure)
    return found


@lru_cache(maxsize=1)
def _drawing_version() -> str:
    """Changes whenever this file (how figures are drawn) changes: older cached PNGs are then not used."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _kept_on_disk(draw):
    """Curriculum figures (pure functions of their labels): drawn once per machine and language, then read."""

    @functools.wraps(draw)
    def cached(*args):
        key = hashlib.sha256(repr((draw.__name__, args, _drawing_version())).encode("utf-8")).hexdigest()[:32]
        path = cache_dir() / "figures" / f"{key}.png"
        kept = read_cached(path)
        if kept is not None:
            return kept
        png = draw(*args)
        write_cached(path, png)
        return png

    return lru_cache(maxsize=32)(cached)


def _box(ax, x: float, y: float, width: float, height: float, colour: str, text: str, fontsize: float) -> None:
    ax.add_patch(
        _patches().FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.03,rounding_size=0.12",
            facecolor=colour,
            edgecolor="white",
            linewidth=1.5,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=fontsize, linespacing=1.15)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "#555555", **style) -> None:
    ax.add_patch(_patches().FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, **style))


# Curriculum figures come in two shapes: wide for a laptop, narrow (drawn top to bottom, bigger type for its
# size) for a phone. The page carries both and shows one by the screen's width (widgets/blocks.FigureView).


@_kept_on_disk
def decision_stages_png(
    labels: tuple[str, ...],
    annotation: str | None = None,
    markers: tuple[tuple[int, str], ...] = (),
    narrow: bool = False,
) -> bytes:
    """The customer's decision process as a staircase of stages, earlier pain feeding evaluation."""
    if narrow:
        return _decision_stages_narrow(labels, annotation, markers)
    setup_fonts()
    count = len(labels)
    fig, ax = pyplot().subplots(figsize=(10, 4.2))
    width, height = 1.5, 0.8
    centres = [(i * 1.7, i * 0.45) for i in range(count)]
    for i, ((x, y), label) in enumerate(zip(centres, labels)):
        # Latin labels wrap at 11 characters: "Implementation" (14) then takes the box's whole width at 9 pt.
        _box(
            ax,
            x,
            y,
            width,
            height,
            PALETTE[i % len(PALETTE)],
            f"{i + 1}\n{_wrap(label, latin_width=11)}",
            fontsize=9 if _is_cjk(label) or max(map(len, label.split())) <= 12 else 8,
        )
        if i:
            (px, py) = centres[i - 1]
            _arrow(ax, (px + width / 2, py), (x - width / 2, y))
    if annotation and count >= 5:
        (x2, y2), (x5, y5) = centres[1], centres[4]
        _arrow(
            ax, (x2, y2 - height / 2), (x5, y5 - height / 2), "#c9541d", connectionstyle="arc3,rad=0.35", linestyle="--"
        )
        ax.text((x2 + x5) / 2, min(y2, y5) - 0.95, annotation, ha="center", va="top", fontsize=9.5, color="#c9541d")
    for stage, label in markers:
        x, y = centres[stage - 1]
        ax.annotate(
            _wrap(label, latin_width=16, cjk_width=9),
            xy=(x, y + height / 2 + 0.05),
            xytext=(x, y + height / 2 + 0.95),
            ha="center",
            va="bottom",
            fontsize=9,
            color="#1b4965",
            arrowprops={"arrowstyle": "-|>", "color": "#1b4965", "lw": 1.5},
        )
    top = centres[-1][1] + (1.9 if markers else 0.6)
    ax.set_xlim(-0.9, centres[-1][0] + 0.9)
    ax.set_ylim(-1.5 if annotation else -0.6, top)
    ax.set_aspect("equal")
    _axes_off(ax)
    return to_png(fig)


def _decision_stages_narrow(
    labels: tuple[str, ...], annotation: str | None, markers: tuple[tuple[int, str], ...]
) -> bytes:
    """The stages top to bottom (a phone's screen is tall); markers and the pain→criteria arc at the side."""
    setup_fonts()
    count = len(labels)
    width, height, step = 2.3, 0.62, 0.9
    side = 1.9 if markers else (1.0 if annotation else 0.2)
    fig, ax = pyplot().subplots(figsize=(width + side + 0.3, step * count + (1.1 if annotation else 0.3)))
    centres = [(0.0, -i * step) for i in range(count)]
    for i, ((x, y), label) in enumerate(zip(centres, labels)):
        _box(
            ax,
            x,
            y,
            width,
            height,
            PALETTE[i % len(PALETTE)],
            f"{i + 1}  {_wrap(label, latin_width=22, cjk_width=10)}",
            fontsize=11,
        )
        if i:
            _arrow(ax, (x, centres[i - 1][1] - height / 2), (x, y + height / 2))
    bottom = centres[-1][1] - height / 2 - 0.15
    if annotation and count >= 5:
        (_, y2), (_, y5) = centres[1], centres[4]
        _arrow(ax, (width / 2, y2), (width / 2, y5), "#c9541d", connectionstyle="arc3,rad=-0.45", linestyle="--")
        ax.text(
            -width / 2,
            bottom,
            _wrap(annotation, latin_width=30, cjk_width=14),
            ha="left",
            va="top",
            fontsize=10.5,
            color="#c9541d",
        )
        bottom -= 0.85
    for stage, label in markers:
        x, y = centres[stage - 1]
        ax.annotate(
            _wrap(label, latin_width=13, cjk_width=5),
            xy=(width / 2 + 0.05, y),
            xytext=(width / 2 + 0.45, y),
            ha="left",
            va="center",
            fontsize=10,
            color="#1b4965",
            arrowprops={"arrowstyle": "-|>", "color": "#1b4965", "lw": 1.5},
        )
    ax.set_xlim(-width / 2 - 0.1, width / 2 + side)
    ax.set_ylim(bottom, height / 2 + 0.1)
    ax.set_aspect("equal")
    _axes_off(ax)
    return to_png(fig)


def _rows(steps: tuple[str, ...], most: int) -> list[tuple[str, ...]]:
    """Steps cut into rows of at most `most`, as even as can be (7 in 4 + 3, 5 in 3 + 2)."""
    count = -(-len(steps) // most)
    size = -(-len(steps) // count)
    return [steps[i : i + size] for i in range(0, len(steps), size)]


@_kept_on_disk
def flow_png(lanes: tuple[tuple[str, tuple[str, ...]], ...], narrow: bool = False) -> bytes:
    """Each lane (e.g. inbound and outbound calls) as boxes joined by arrows. Wide: a lane's title on the left,
    its steps in rows of at most four; narrow: the lanes side by side, each top to bottom."""
    setup_fonts()
    if narrow:
        return _flow_narrow(lanes)
    width, height, step_x, step_y = 1.6, 0.95, 1.95, 1.3
    rows = [(title, _rows(steps, 4)) for title, steps in lanes]
    across = max(len(row) for _title, lane_rows in rows for row in lane_rows)
    fig, ax = pyplot().subplots(figsize=(step_x * across + 1.6, step_y * sum(len(r) for _t, r in rows) + 0.5))
    y = 0.0
    for index, (title, lane_rows) in enumerate(rows):
        colour = PALETTE[index * 3 % len(PALETTE)]
        ax.text(
            -0.3,
            y - (len(lane_rows) - 1) * step_y / 2,
            _wrap(title, latin_width=10, cjk_width=4),
            ha="right",
            va="center",
            fontsize=12,
            fontweight="bold",
            color=colour,
        )
        number = 0
        for row_index, row in enumerate(lane_rows):
            for i, text in enumerate(row):
                x = width / 2 + i * step_x
                _box(
                    ax,
                    x,
                    y,
                    width,
                    height,
                    PALETTE[(index * 3 + number) % len(PALETTE)],
                    _wrap(text, latin_width=15, cjk_width=7),
                    fontsize=10,
                )
                if i:
                    _arrow(ax, (x - step_x + width / 2, y), (x - width / 2, y))
                elif row_index:  # from the end of the row above: down, back left, down to this row's start
                    last = width / 2 + (len(lane_rows[row_index - 1]) - 1) * step_x
                    middle = y + step_y / 2
                    ax.plot([last, last, x], [y + step_y - height / 2, middle, middle], color="#555555", linewidth=1.2)
                    _arrow(ax, (x, middle), (x, y + height / 2))
                number += 1
            y -= step_y
        y -= 0.25
    ax.set_xlim(-1.5, width / 2 + (across - 1) * step_x + width / 2 + 0.1)
    ax.set_ylim(y + step_y - height / 2 - 0.1, height / 2 + 0.1)
    ax.set_aspect("equal")
    _axes_off(ax)
    return to_png(fig)


def _flow_narrow(lanes: tuple[tuple[str, tuple[str, ...]], ...]) -> bytes:
    width, height, step_x, step_y = 1.75, 0.8, 1.95, 1.05
    longest = max(len(steps) for _title, steps in lanes)
    fig, ax = pyplot().subplots(figsize=(step_x * len(lanes), step_y * longest + 0.6))
    for column, (title, steps) in enumerate(lanes):
        x = column * step_x
        colour = PALETTE[column * 3 % len(PALETTE)]
        ax.text(x, 0.55, title, ha="center", va="bottom", fontsize=12, fontweight="bold", color=colour)
        for i, text in enumerate(steps):
            y = -i * step_y
            _box(
                ax,
                x,
                y,
                width,
                height,
                PALETTE[(column * 3 + i) % len(PALETTE)],
                _wrap(text, latin_width=17, cjk_width=7),
                fontsize=10,
            )
            if i:
                _arrow(ax, (x, y + step_y - height / 2), (x, y + height / 2))
    ax.set_xlim(-width / 2 - 0.05, (len(lanes) - 1) * step_x + width / 2 + 0.05)
    ax.set_ylim(-(longest - 1) * step_y - height / 2 - 0.1, 1.0)
    ax.set_aspect("equal")
    _axes_off(ax)
    return to_png(fig)


@lru_cache(maxsize=64)
def funnel_png(
    labels: tuple[str, ...], counts: tuple[int, ...], thin: tuple[int, ...], title: str, narrow: bool = False
) -> bytes:
    """An inverted triangle: one centred bar per layer, width ∝ count (a sliver when empty); thin layers in red.
    Narrow (a phone): each layer's name above its bar, the whole width for the bars, larger type."""
    setup_fonts()
    top = max(max(counts), 1)
    if narrow:
        return _funnel_narrow(labels, counts, thin, title, top)
    fig, ax = pyplot().subplots(figsize=(8, 4.2))
    for row, (label, count) in enumerate(zip(labels, counts)):
        width = max(count / top, 0.02)
        colour = THIN_COLOUR if row in thin else FUNNEL_COLOURS[row % len(FUNNEL_COLOURS)]
        ax.barh(-row, width, left=(1 - width) / 2, height=0.8, color=colour, edgecolor="white")
        inside = width > 0.12  # a short bar has its count beside it, dark on white (never dark on the bar)
        ax.text(
            0.5 if inside else 0.5 + width / 2 + 0.015,
            -row,
            f"{count:,}",
            ha="center" if inside else "left",
            va="center",
            color="white" if inside else "#222",
            fontsize=11,
            fontweight="bold",
        )
        ax.text(-0.02, -row, label, ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.55, 1.02)
    ax.set_ylim(-len(counts) + 0.4, 0.6)
    ax.set_title(title, fontsize=12)
    _axes_off(ax)
    return to_png(fig)


def _funnel_narrow(labels, counts, thin, title: str, top: int) -> bytes:
    fig, ax = pyplot().subplots(figsize=(3.6, 0.95 * len(counts) + 0.7))
    for row, (label, count) in enumerate(zip(labels, counts)):
        width = max(count / top, 0.02)
        colour = THIN_COLOUR if row in thin else FUNNEL_COLOURS[row % len(FUNNEL_COLOURS)]
        ax.barh(-row * 1.6, width, left=(1 - width) / 2, height=0.75, color=colour, edgecolor="white")
        inside = width > 0.2  # a narrow bar has its count beside it, dark on white
        ax.text(
            0.5 if inside else 0.5 + width / 2 + 0.03,
            -row * 1.6,
            f"{count:,}",
            ha="center" if inside else "left",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="white" if inside else "#111",
        )
        ax.text(0.5, -row * 1.6 + 0.62, "\n".join(cjk_lines(label, 16)), ha="center", va="bottom", fontsize=10)
    ax.set_xlim(0, 1)
    ax.set_ylim(-(len(counts) - 1) * 1.6 - 0.5, 1.3)
    ax.set_title(title_lines(title, 18), fontsize=11)
    _axes_off(ax)
    return to_png(fig)


@lru_cache(maxsize=64)
def funnel_history_png(
    labels: tuple[str, ...], snapshots: tuple[tuple[str, tuple[int, ...]], ...], title: str, narrow: bool = False
) -> bytes:
    """Each layer's count over the saved snapshots (one line per layer). Narrow (a phone): the title wrapped,
    the legend under the chart."""
    setup_fonts()
    fig, ax = pyplot().subplots(figsize=(3.8, 4.2) if narrow else (8, 3.6))
    dates = [day for day, _counts in snapshots]
    for layer, label in enumerate(labels):
        ax.plot(
            range(len(dates)),
            [counts[layer] for _d, counts in snapshots],
            marker="o",
            color=PALETTE[layer % len(PALETTE)],
            label=label,
        )
    ax.set_xticks(range(len(dates)), dates, rotation=30 if not narrow else 45, ha="right", fontsize=8)
    ax.set_title(title_lines(title, 20) if narrow else title, fontsize=11 if narrow else 12)
    ax.grid(axis="y", alpha=0.3)
    if narrow:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    else:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_png(fig)


BAND_COLOURS = {"on_track": "#2e8b57", "behind": "#e0a21e", "at_risk": "#c9541d"}


@lru_cache(maxsize=64)
def calls_vs_target_png(
    labels: tuple[str, ...],
    counts: tuple[int, ...],
    targets: tuple[int, ...],
    bands: tuple[str, ...],
    title: str,
    actual: str,
    planned: str,
    others: tuple[int, ...] = (),
    others_label: str = "",
    narrow: bool = False,
    band_labels: tuple[str, ...] = (),
) -> bytes:
    """Bars of actual calls (coloured by pacing band) against the target line, per day or per week; with
    `others` (e.g. the imported calls beside the self-logged ones) a second, hatched bar next to each. Narrow (a
    phone): the figure as wide as a phone, the legend under the chart, smaller counts."""
    setup_fonts()
    fig, ax = pyplot().subplots(figsize=(3.8, 3.6) if narrow else (8, 3.4))
    positions = list(range(len(labels)))
    shift, bar = (0.2, 0.4) if others else (0.0, 0.8)
    ax.bar([x - shift for x in positions], counts, width=bar, color=[BAND_COLOURS[b] for b in bands], label=actual)
    for x, count in zip(positions, counts):
        ax.text(x - shift, count, f"{count}", ha="center", va="bottom", fontsize=9)
    if others:
        ax.bar(
            [x + shift for x in positions],
            others,
            width=bar,
            color="white",
            edgecolor="#1f5f8b",
            hatch="//",
            label=others_label,
        )
        for x, count in zip(positions, others):
            ax.text(x + shift, count, f"{count}", ha="center", va="bottom", fontsize=9, color="#1f5f8b")
    ax.plot(
        positions,
        targets,
        color="#1b4965",
        marker="_",
        markersize=14 if narrow else 30,
        linestyle="none",
        label=planned,
    )
    ax.set_xticks(positions, labels, fontsize=8 if narrow else 9, rotation=45 if narrow and len(labels) > 5 else 0)
    ax.set_title(title_lines(title, 20) if narrow else title, fontsize=11 if narrow else 12)
    ax.set_ylim(0, max(max(counts, default=0), max(others, default=0), max(targets, default=0), 1) * 1.18)
    ax.grid(axis="y", alpha=0.3)
    handles, names = ax.get_legend_handles_labels()
    if band_labels:  # the bars' colours are the pacing bands: say which is which (not one colour for "actual")
        keep = [(h, n) for h, n in zip(handles, names) if n != actual]
        bands = ("on_track", "behind", "at_risk")
        handles = [h for h, _n in keep] + [_patches().Patch(color=BAND_COLOURS[b]) for b in bands[: len(band_labels)]]
        names = [n for _h, n in keep] + list(band_labels)
    # Under the chart, in rows: never over the bars or the frame, at any width.
    ax.legend(
        handles,
        names,
        fontsize=8,
        loc="upper center",
        ncol=2 if narrow else 5,
        frameon=False,
        bbox_to_anchor=(0.5, -0.16 if not narrow or len(labels) <= 5 else -0.22),
    )
    return to_png(fig)


@lru_cache(maxsize=64)
def bars_and_share_png(
    labels: tuple[str, ...],
    bars: tuple[int, ...],
    bar_label: str,
    shares: tuple[float | None, ...],
    share_label: str,
    title: str,
    narrow: bool = False,
) -> bytes:
    """Counts per period as bars (left axis) and a share (0–100 %) as a line on the right axis; periods
    without a share leave a gap in the line. Narrow (a phone): the title wrapped, the legend under the chart."""
    setup_fonts()
    fig, ax = pyplot().subplots(figsize=(3.8, 3.8) if narrow else (8, 3.4))
    positions = list(range(len(labels)))
    ax.bar(positions, bars, color="#8fb8d8", label=bar_label)
    for x, count in zip(positions, bars):
        ax.text(x, count, f"{count}", ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(max(bars, default=0), 1) * 1.2)
    ax.set_xticks(positions, labels, fontsize=8 if narrow else 9, rotation=45 if narrow and len(labels) > 5 else 0)
    right = ax.twinx()
    right.plot(
        positions, [None if v is None else 100 * v for v in shares], color="#c9541d", marker="o", label=share_label
    )
    right.set_ylim(0, 105)
    right.yaxis.set_major_formatter(lambda value, _pos: f"{value:.0f}%")
    ax.set_title(title_lines(title, 20) if narrow else title, fontsize=11 if narrow else 12)
    ax.grid(axis="y", alpha=0.3)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    if narrow:
        ax.legend(
            handles, [bar_label, share_label], fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False
        )
    else:
        ax.legend(handles, [bar_label, share_label], fontsize=8, loc="upper left", bbox_to_anchor=(1.08, 1.0))
    return to_png(fig)


@lru_cache(maxsize=64)
def radar_png(labels: tuple[str, ...], profiles: tuple[tuple[str, tuple[int, ...]], ...], title: str) -> bytes:
    """Ratings (1–5) on a radar; the last profile is drawn strong, earlier ones faded (the history)."""
    import math

    setup_fonts()
    angles = [2 * math.pi * i / len(labels) for i in range(len(labels))]
    fig, ax = pyplot().subplots(figsize=(6.2, 5.2), subplot_kw={"projection": "polar"})
    for index, (name, ratings) in enumerate(profiles):
        latest = index == len(profiles) - 1
        values = list(ratings) + [ratings[0]]
        ax.plot(
            angles + angles[:1],
            values,
            color="#1f5f8b" if latest else "#e08a1e",
            linewidth=2.2 if latest else 1.2,
            linestyle="-" if latest else "--",
            alpha=1 if latest else 0.45 + 0.4 * index / max(len(profiles), 1),
            label=name,
            marker="o" if latest else None,
        )
        if latest:
            ax.fill(angles + angles[:1], values, color="#1f5f8b", alpha=0.18)
    ax.set_xticks(angles, [_wrap(label, latin_width=16, cjk_width=7) for label in labels], fontsize=9)
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_title(title, fontsize=12, pad=18)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.05, 1.1))
    return to_png(fig)
