"""Chinese labels render with the project's own CJK font; a missing glyph fails the test (pytest config)."""

import importlib.metadata
import importlib.util
import io
import warnings

import pytest
from matplotlib import font_manager
from PIL import Image, ImageChops

from telesales_training.render import plots


def test_cjk_font_comes_from_the_install_under_the_open_font_license():
    assert plots.setup_fonts() == "Noto Sans CJK SC"
    ours = str(plots.cjk_font_path())
    assert "site-packages" in ours
    registered = {entry.name for entry in font_manager.fontManager.ttflist if entry.fname == ours}
    assert {"Noto Sans CJK SC", "Noto Sans CJK TC"} <= registered
    licence = next(
        file for file in importlib.metadata.files("noto-cjk-sans-otc") if file.name.upper().startswith("LICENSE")
    )
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence.read_text()
    assert importlib.util.find_spec("mplfonts") is None  # the 103 MB wheel with a proprietary SimHei is gone
    # A system copy (Debian's fonts-noto-cjk) may win the lookup; either way it is Noto Sans CJK.
    for family in ("Noto Sans CJK SC", "Noto Sans CJK TC"):
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        assert "NotoSansCJK" in found


def _first_glyph(text: str) -> Image.Image:
    """The first character of `text` as drawn in a figure beside the others (the ink of the left third)."""
    plt = plots.pyplot()
    fig, ax = plt.subplots(figsize=(2.4, 1))
    ax.axis("off")
    ax.text(0.0, 0.3, text[0], fontsize=30)
    ax.text(0.8, 0.3, text[1:], fontsize=30)
    picture = Image.open(io.BytesIO(plots.to_png(fig))).convert("RGBA").convert("L")
    ink = picture.crop((0, 0, picture.width // 3, picture.height)).point(lambda level: 255 if level < 128 else 0)
    return ink.crop(ink.getbbox())


def test_traditional_chinese_figures_use_the_traditional_face():
    assert plots.family_for(["電話銷售漏斗"]) == "Noto Sans CJK TC"
    assert plots.family_for(["电话销售漏斗", "Funnel"]) == plots.family_for(["Calls"]) == "Noto Sans CJK SC"
    # 骨 is one code point drawn differently in the two faces: beside 電 (zh-TW) it takes the Taiwan shape.
    simplified, traditional = _first_glyph("骨 电"), _first_glyph("骨 電")

    def strokes_apart(one: Image.Image, other: Image.Image) -> int:  # pixels that differ by more than shading
        if one.size != other.size:
            return one.width * one.height
        return sum(1 for level in ImageChops.difference(one, other).get_flattened_data() if level)

    assert strokes_apart(simplified, _first_glyph("骨 话")) == 0  # the same face draws the same strokes
    assert strokes_apart(simplified, traditional) > 20


def test_decision_stages_with_chinese_labels_render_without_missing_glyphs(lesson01, tmp_path, monkeypatch):
    monkeypatch.setenv(plots.CACHE_VARIABLE, str(tmp_path))  # nothing drawn before: this one is drawn
    figure = lesson01.block("stages_figure")
    labels = tuple(label["zh-CN"] for label in figure.labels)
    plots.decision_stages_png.cache_clear()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing")
        png = plots.decision_stages_png(labels, figure.annotation["zh-CN"])
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.width > 600
    assert len(picture.convert("RGBA").getcolors(maxcolors=4096)) > 16  # drawn, labelled boxes, not a blank


def test_missing_glyph_is_an_error_here():
    """The guard itself: a character no font has must fail loudly, not draw a box."""
    import matplotlib.pyplot as plt
    import pytest

    plots.setup_fonts()
    fig, ax = plt.subplots()
    ax.set_title("\U000e0100\uffff")
    with pytest.raises(UserWarning, match="missing"):
        fig.canvas.draw()
    plt.close(fig)


def test_curriculum_figures_are_drawn_once_then_read_from_disk(lesson01, tmp_path, monkeypatch):
    monkeypatch.setenv(plots.CACHE_VARIABLE, str(tmp_path))
    labels = tuple(label["en"] for label in lesson01.block("stages_figure").labels)
    plots.decision_stages_png.cache_clear()
    drawn = plots.decision_stages_png(labels)
    kept = list((tmp_path / "figures").glob("*.png"))
    assert len(kept) == 1 and kept[0].read_bytes() == drawn
    kept[0].write_bytes(b"\x89PNG read from disk")
    plots.decision_stages_png.cache_clear()
    assert plots.decision_stages_png(labels) == b"\x89PNG read from disk"  # a new kernel: no drawing
    assert plots.decision_stages_png(labels[:3]) != drawn  # other labels, another figure
    assert len(list((tmp_path / "figures").glob("*.png"))) == 2


def test_a_page_kernel_imports_no_matplotlib_until_it_draws():
    import subprocess
    import sys

    probe = (
        "import sys, telesales_training.web.app, telesales_training.widgets.cockpit; "
        "print('matplotlib' in sys.modules, 'alembic' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["False", "False"]


def test_chinese_labels_break_at_punctuation_not_inside_words():
    assert plots.cjk_lines("品牌/广告市场支持", 6) == ["品牌/", "广告市场支持"]
    assert plots.cjk_lines("开场白（几十秒）", 6) == ["开场白", "（几十秒）"]
    assert plots.cjk_lines("进入漏斗·回访调查", 7) == ["进入漏斗·", "回访调查"]
    assert plots.cjk_lines("合格的销售线索", 7) == ["合格的销售线索"]
    assert plots.cjk_lines("一二三四五六七", 6) == ["一二三四", "五六七"]  # no mark: even halves, not 6 + 1


def test_curriculum_figures_come_wide_and_narrow(tmp_path, monkeypatch):
    """A phone gets the figure drawn top to bottom at its own size (readable type), a laptop the wide one;
    the page carries both and the stylesheet shows one."""
    from PIL import Image

    from telesales_training.course import content
    from telesales_training.widgets.blocks import FigureView

    monkeypatch.setenv(plots.CACHE_VARIABLE, str(tmp_path))
    for lesson_id, block_id in (("01_decision_psychology", "stages_figure"), ("03_sales_process", "flow_figure")):
        block = content.load_lesson(lesson_id).block(block_id)
        view = FigureView(block, "en")
        assert view.value.count("<img") == 2
        assert 'class="ts-wide-only"' in view.value and 'class="ts-narrow-only"' in view.value
        from telesales_training.widgets.blocks import figure_png

        wide = Image.open(io.BytesIO(figure_png(block, "en")))
        narrow = Image.open(io.BytesIO(figure_png(block, "en", narrow=True)))
        assert wide.width > wide.height and narrow.height > narrow.width
        assert narrow.width <= 420  # shown near its own size on a 360–420 px phone: 11 pt stays ≈ 15 px


@pytest.mark.parametrize("narrow", [False, True])
def test_a_funnel_count_is_white_on_its_bar_or_dark_beside_it(monkeypatch, narrow):
    """#23.11: layer 5's count was drawn dark across its own dark bar. Each count sits either inside its bar
    (white) or wholly outside it (dark)."""
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text

    drawn = []
    monkeypatch.setattr(plots, "to_png", lambda fig: drawn.append(fig) or b"")
    plots.funnel_png(("一", "二", "三", "四", "五"), (4000, 1500, 600, 200, 40), (), "funnel", narrow=narrow)
    fig = drawn[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bars = [patch for patch in fig.axes[0].patches if isinstance(patch, Rectangle)]
    counts = [text for text in fig.findobj(Text) if text.get_text().replace(",", "").isdigit() and text.axes]
    assert len(bars) == 5 and len(counts) == 5
    for bar, text in zip(bars, counts):
        box, where = bar.get_window_extent(renderer), text.get_window_extent(renderer)
        overlaps = where.x0 < box.x1 and where.x1 > box.x0
        if text.get_color() == "white":
            assert box.x0 <= where.x0 and where.x1 <= box.x1, text.get_text()
        else:
            assert not overlaps, f"{text.get_text()} is dark over its bar"


def test_a_phone_charts_title_breaks_between_words():
    """ "Calls per week aga / inst the target: t / he 12 trainees" — English titles broke inside words."""
    title = "Calls per week against the target: the 12 trainees of the current filter"
    lines = plots.title_lines(title, 20).split("\n")
    assert " ".join(lines) == title and all(len(line) <= 36 for line in lines)
    assert plots.title_lines("每周的电话量与目标（最近 8 周）：当前筛选的 12 名学员", 20).count("\n") >= 1


def test_hiding_a_diagrams_axes_changes_no_pixel_and_its_texts_are_still_found():
    """Diagrams hide their axes as well as turning them off (so matplotlib makes no ticks to place the title by):
    the picture is the same, and a Traditional label still picks the Traditional face."""

    def draw(hide: bool, label: str) -> bytes:
        fig, ax = plots.pyplot().subplots(figsize=(4, 2))
        ax.barh(0, 0.5)
        ax.text(0.1, 0, label)
        ax.set_title("我的漏斗 · funnel")
        if hide:
            plots._axes_off(ax)
        else:
            ax.axis("off")
        assert plots.family_for(plots._texts(fig)) == (
            plots.TRADITIONAL_FAMILY if label == "銷售線索" else plots.CJK_FAMILY
        )
        return plots.to_png(fig)

    assert draw(True, "销售线索") == draw(False, "销售线索")
    assert draw(True, "銷售線索") == draw(False, "銷售線索")
