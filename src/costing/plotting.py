"""Chart set-up shared by every chart in ``costing``: a CJK font, print-friendly style.

Chinese labels need a font with CJK glyphs. We use Noto Sans CJK SC (SIL Open
Font License), shipped on PyPI inside the ``mplfonts`` wheel, so ``make``
installs it with everything else: no system font, no network at run time.
The font file is registered with matplotlib directly (``addfont``); mplfonts'
own set-up, which rewrites matplotlib's config, is not used.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib

CJK_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=None)
def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans CJK SC font file."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():  # pragma: no cover - packaging problem
        raise FileNotFoundError(f"CJK font missing from the mplfonts wheel: {path}")
    return path


def setup_fonts() -> str:
    """Register the CJK font and make it matplotlib's default sans-serif family.

    Idempotent. Returns the family name. Call it before drawing any chart;
    every plotting function in ``costing`` does.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in names:
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = "sans-serif"
    sans = list(matplotlib.rcParams["font.sans-serif"])
    if not sans or sans[0] != CJK_FAMILY:
        matplotlib.rcParams["font.sans-serif"] = [CJK_FAMILY] + [s for s in sans if s != CJK_FAMILY]
    # The CJK font's minus glyph: use ASCII hyphen-minus to avoid a missing U+2212.
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["figure.dpi"] = 110
    matplotlib.rcParams["savefig.dpi"] = 110
    matplotlib.rcParams["axes.grid"] = True
    matplotlib.rcParams["grid.alpha"] = 0.3
    _register_png_display()
    return CJK_FAMILY


def new_figure(width: float = 8.0, height: float = 4.5):
    """A new ``(Figure, Axes)`` with constrained layout and the CJK font, outside pyplot.

    Every chart in ``costing`` starts here: no global pyplot state, so a
    chart is displayed once (when returned or passed to ``display``) and
    freed when dropped.
    """
    from matplotlib.figure import Figure

    setup_fonts()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def tick_text(v: float, suffix: bool = True) -> str:
    """A tick as a reader reads it, never in scientific notation: 2×10⁴ -> 2万, 3×10⁸ -> 3亿
    (``suffix``), or 20,000 (an axis already in 万元, where 万 would read as 万万元)."""
    a = abs(v)
    if suffix and a >= 1e8:
        return _num(v / 1e8) + "亿"
    if suffix and a >= 1e4:
        return _num(v / 1e4) + "万"
    return _num(v) if a >= 1 or v == 0 else f"{v:.3g}"


def readable_ticks(ax, axes: str = "xy", *, suffix: str = "xy") -> None:
    """Tick labels without scientific notation or offsets on ``axes`` (call after
    ``set_xscale``/``set_yscale``, which reset the formatters). On the axes in ``suffix``
    large values read 2万, 3亿; elsewhere 20,000. The unit stays in the axis label."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for name in axes:
        axis = ax.xaxis if name == "x" else ax.yaxis
        if axis.get_scale() == "log":  # ticks at 1, 2 and 5 of each decade, all labelled
            axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_minor_formatter(NullFormatter())
        axis.set_major_formatter(FuncFormatter(lambda v, _pos, s=name in suffix: tick_text(v, s)))


def _register_png_display() -> None:
    """In IPython/Jupyter, show a returned ``Figure`` as a PNG image (not as text).

    Our charts are object-oriented ``Figure`` objects (no pyplot state to
    leak between charts), so they need the inline formatter registered even
    when nobody ran ``%matplotlib inline``.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - plain Python
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_costing_png", False):
        return
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    # Charts use constrained layout already, so no second "tight" draw is needed.
    set_matplotlib_formats("png", bbox_inches=None)
    png = shell.display_formatter.formatters["image/png"]
    draw = png.lookup_by_type(Figure)
    # The PNG carries the chart's words in its output metadata, so a test can check that
    # no title, axis label, tick label or legend entry is an internal key.
    def with_labels(fig):
        data = draw(fig)
        labels = chart_labels(fig)
        return data, {LABELS_KEY: labels, "alt": labels[0] if labels else "图表"}

    png.for_type(Figure, with_labels)
    shell._costing_png = True


#: output-metadata key (under image/png) of a displayed chart's texts
LABELS_KEY = "costing_labels"


def chart_labels(fig) -> list[str]:
    """Every text a reader sees on a drawn figure: titles, axis and tick labels, legends, annotations."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        out += [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return [t for t in out if t and t.strip()]
