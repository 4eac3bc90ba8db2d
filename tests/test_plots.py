"""Chinese labels render with the project's own CJK font; a missing glyph fails the test (pytest config)."""

import warnings

from matplotlib import font_manager

from telesales_training import plots


def test_cjk_font_comes_from_the_install():
    assert plots.setup_fonts() == "Noto Sans CJK SC"
    ours = str(plots.cjk_font_path())
    assert "site-packages" in ours
    assert any(entry.fname == ours and entry.name == "Noto Sans CJK SC" for entry in font_manager.fontManager.ttflist)
    # A system copy (Debian's fonts-noto-cjk) may win the lookup; either way it is Noto Sans CJK SC.
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False)
    assert "NotoSansCJK" in found


def test_decision_stages_with_chinese_labels_render_without_missing_glyphs(lesson01):
    figure = lesson01.block("stages_figure")
    labels = tuple(label["zh-CN"] for label in figure.labels)
    plots.decision_stages_png.cache_clear()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing")
        png = plots.decision_stages_png(labels, figure.annotation["zh-CN"])
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


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
