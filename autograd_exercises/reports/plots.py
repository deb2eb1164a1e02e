"""The class report's figures: matplotlib drawn into inline SVG (the ``[report]`` extra).

Each function returns the ``<svg>`` element as text, ready to sit inside the HTML page (no XML prolog, no
metadata block, ids prefixed so that several figures can share one page), or ``None`` when matplotlib is
not installed: the page then says how to get the figures and keeps its tables. Text stays text in the SVG
(``svg.fonttype: none``), so the figures are small, searchable and print sharply; ids are salted with a
constant, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import re
from typing import Sequence

GREEN, ORANGE, BLUE, GREY = "#2a9d8f", "#e76f51", "#3a6ea5", "#6c757d"
INK = "#212529"  # the page's text colour: a line drawn over a bar (walkthrough 69: grey on blue was hard to see)
_RC = {"svg.fonttype": "none", "svg.hashsalt": "autograd-exercises class report", "font.size": 9,
       "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False}


def available() -> bool:
    """Whether matplotlib can be imported (the ``[report]`` extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def preload() -> None:
    """Import the matplotlib modules the figures use (about 0.4 s), so that drawing them later does not wait.
    ``grade class`` runs this in a background thread while the class grades; without matplotlib it does nothing."""
    try:
        import matplotlib.backends.backend_svg  # noqa: F401
        import matplotlib.figure  # noqa: F401
        import matplotlib.ticker  # noqa: F401
    except Exception:  # ImportError, or a broken install: the report says so when it draws
        pass


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure, label: str, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element with ``role="img"`` and its label."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    for name in sorted(set(re.findall(r'id="([^"]+)"', text)), key=len, reverse=True):
        text = text.replace(f'id="{name}"', f'id="{prefix}-{name}"').replace(f"#{name})", f"#{prefix}-{name})") \
            .replace(f'#{name}"', f'#{prefix}-{name}"')
    from html import escape

    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="plot" ', 1).strip()


def _draw(function, *args, **kwargs) -> str | None:
    if not available():
        return None
    import matplotlib

    with matplotlib.rc_context(_RC):
        return function(*args, **kwargs)


def histogram(scores: Sequence[float], max_score: float, *, label: str, prefix: str) -> str | None:
    """Students per score, from 0 to ``max_score``, with the mean and median marked."""
    return _draw(_histogram, scores, max_score, label=label, prefix=prefix)


def _histogram(scores: Sequence[float], max_score: float, *, label: str, prefix: str) -> str:
    from matplotlib.ticker import MaxNLocator

    figure = _figure(6.4, 2.5)
    axes = figure.add_subplot()
    whole = all(float(score).is_integer() for score in scores) and float(max_score).is_integer() and max_score <= 40
    if whole:
        edges = [value - 0.5 for value in range(int(max_score) + 2)]
    else:
        edges = [max_score * step / 20 for step in range(21)]
    axes.hist(list(scores), bins=edges, color=BLUE, edgecolor="white", linewidth=0.8)
    if scores:
        ordered = sorted(scores)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        mean = sum(scores) / len(scores)
        axes.axvline(mean, color=ORANGE, linestyle="--", linewidth=1.2, label=f"mean {mean:.2f}")
        axes.axvline(median, color=INK, linestyle=":", linewidth=1.6, label=f"median {median:g}")
        axes.legend(frameon=False, loc="upper left")
    axes.set_xlim(edges[0], edges[-1])
    if whole:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("students")
    return _svg(figure, label, prefix)


def pass_rates(checks: Sequence[tuple[str, int, int]], *, label: str, prefix: str) -> str | None:
    """One horizontal bar per check: the share of graded students who passed it (``(name, passed, of)``)."""
    return _draw(_pass_rates, checks, label=label, prefix=prefix)


def _pass_rates(checks: Sequence[tuple[str, int, int]], *, label: str, prefix: str) -> str:
    figure = _figure(6.4, 0.6 + 0.3 * max(len(checks), 1))
    axes = figure.add_subplot()
    names = [name for name, _, _ in checks][::-1]
    shares = [(passed / of if of else 0.0) for _, passed, of in checks][::-1]
    counts = [f"{passed}/{of}" for _, passed, of in checks][::-1]
    axes.barh(names, [1.0] * len(names), color="#e9ecef", height=0.7)
    axes.barh(names, shares, color=[GREEN if share >= 0.5 else ORANGE for share in shares], height=0.7)
    for row, (share, count) in enumerate(zip(shares, counts)):
        axes.text(1.01, row, count, va="center", fontsize=8, color=GREY)
    axes.set_xlim(0, 1.12)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    axes.set_xlabel("students who passed")
    axes.tick_params(axis="y", length=0)
    return _svg(figure, label, prefix)


def mistake_counts(mistakes: Sequence[tuple[str, int]], *, label: str, prefix: str) -> str | None:
    """One horizontal bar per mistake code, most common on top (``(code, students)``)."""
    return _draw(_mistake_counts, mistakes, label=label, prefix=prefix)


def _mistake_counts(mistakes: Sequence[tuple[str, int]], *, label: str, prefix: str) -> str:
    from matplotlib.ticker import MaxNLocator

    figure = _figure(6.4, 0.6 + 0.3 * max(len(mistakes), 1))
    axes = figure.add_subplot()
    codes = [code for code, _ in mistakes][::-1]
    counts = [count for _, count in mistakes][::-1]
    axes.barh(codes, counts, color=ORANGE, height=0.7)
    for row, count in enumerate(counts):
        axes.text(count, row, f" {count}", va="center", fontsize=8, color=GREY)
    axes.set_xlim(0, max(counts, default=1) * 1.15 + 0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("students")
    axes.tick_params(axis="y", length=0)
    return _svg(figure, label, prefix)
