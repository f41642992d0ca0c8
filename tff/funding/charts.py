"""Accessible SVG charts drawn on the server: no JavaScript, no chart library, nothing fetched.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that sums up the data in
words, so a screen reader hears the point of the chart; the page shows the full figures in a
table after it. Series are told apart by dash pattern as well as colour, so the chart still
reads in greyscale or to someone who cannot tell the colours apart. Every piece of text goes
through `markupsafe.escape`, so names and labels from the database cannot break the markup.
"""

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

Style = Literal["solid", "dashed", "dotted"]

#: GOV.UK Design System colours, in the order series take them; all pass 3:1 against white
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#0b0c0c")
#: stroke-dasharray per style; dotted relies on round line caps to draw dots
DASHES = {"solid": "", "dashed": "10 6", "dotted": "1 7"}
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"

WIDTH = 720
FONT_SIZE = 14
#: rough width of one character at FONT_SIZE, to leave room for labels without measuring text
CHAR_WIDTH = 8
#: more x labels than this overlap, so the rest are left off (the table has them all)
MOST_X_LABELS = 12
#: x labels longer than this are cut with an ellipsis (the whole label is in their <title>)
MOST_X_CHARS = 24
NO_DATA = "No data yet"


def pounds(value: float) -> str:
    return f"£{value:,}"


@dataclass(frozen=True)
class Series:
    """One line: a value (or None for a gap) per x label."""

    name: str
    values: list[float | None]
    style: Style = "solid"

    def __post_init__(self):
        if self.style not in DASHES:
            raise ValueError(f"style must be one of {', '.join(DASHES)}, not {self.style!r}")


# --- scale -----------------------------------------------------------------------------------


def nice_scale(largest: float) -> list[float]:
    """Ticks from 0 to a round number at or above `largest`, in 4 to 6 equal round steps.

    Steps are 1, 2, 2.5 or 5 times a power of ten; the smallest that needs at most 6 steps
    also needs at least 4, because each step is at most 2.5 times the one before it.
    """
    if largest <= 0:
        largest = 1
    power = math.floor(math.log10(largest)) - 1
    for exponent in (power, power + 1, power + 2):
        for multiple in (1, 2, 2.5, 5):
            step = multiple * 10**exponent
            count = math.ceil(round(largest / step, 9))
            if count <= 6:
                return [tidy(i * step) for i in range(count + 1)]
    raise AssertionError("unreachable: a step of 10 ** (power + 2) always fits")


def tidy(number: float) -> float:
    """Drop float noise (0.30000000000000004) and show whole numbers without '.0'."""
    number = round(number, 9)
    return int(number) if number == int(number) else number


def thin_labels(count: int, most: int = MOST_X_LABELS) -> set[int]:
    """Indexes of the x labels to show: every nth, so that no more than `most` are shown."""
    every = max(1, math.ceil(count / most))
    return set(range(0, count, every))


# --- SVG pieces ------------------------------------------------------------------------------


def more_attributes(attributes: dict[str, str]) -> str:
    """Keyword arguments as SVG attributes: class_ becomes class, stroke_width stroke-width."""
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())


def text(
    x: float, y: float, content: object, anchor: str = "start", whole: str | None = None, **attributes: str
) -> str:
    """A label; `whole` is the full text of a shortened one, shown on hover and read out."""
    extra = more_attributes(attributes)
    hint = f"<title>{escape(whole)}</title>" if whole is not None and whole != str(content) else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{TEXT_COLOUR}"{extra}>'
        f"{hint}{escape(content)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, colour: str, **attributes: str) -> str:
    extra = more_attributes(attributes)
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{extra}/>'


def stroke(colour: str, style: Style) -> str:
    """Stroke attributes for a series, with its dash pattern so it reads without colour."""
    dashes = DASHES[style]
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return f'stroke="{colour}" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"{dash}'


def chart_id(kind: str, title: str, data: object) -> str:
    """A stable id for aria-labelledby, different for different charts on the same page."""
    return f"{kind}-" + hashlib.sha256(repr((title, data)).encode()).hexdigest()[:10]


def svg(ident: str, title: str, description: str, height: float, body: Sequence[str]) -> Markup:
    """The outer element: scales to its container by viewBox, named and described for screen readers."""
    # safe to mark as markup: every piece of text in it went through escape()
    return Markup(  # noqa: S704  # nosec B704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" width="100%"'
        f' viewBox="0 0 {WIDTH} {height:.0f}" preserveAspectRatio="xMidYMid meet"'
        f' aria-labelledby="{ident}-title {ident}-desc" font-size="{FONT_SIZE}" font-family="inherit">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def no_data(kind: str, title: str) -> Markup:
    """An empty chart that says so, rather than an error or a blank box."""
    height = 120
    ident = chart_id(kind, title, None)
    message = text(WIDTH / 2, height / 2, NO_DATA, anchor="middle", class_="app-chart__no-data")
    frame = f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1}" fill="none" stroke="{GRID_COLOUR}"/>'
    return svg(ident, title, f"{title}: {NO_DATA}.", height, [frame, message])


def format_value(y_format: Callable[[float], object], value: float) -> str:
    return str(y_format(tidy(value)))


# --- line chart ------------------------------------------------------------------------------


def line_chart(
    title: str,
    x_labels: list[str],
    series: list[Series],
    y_format: Callable[[float], object] = pounds,
) -> Markup:
    """A line chart, one line per series over the x labels; None values leave a gap in the line."""
    points = [value for one in series for value in one.values[: len(x_labels)] if value is not None]
    if not x_labels or not points:
        return no_data("line-chart", title)

    ticks = nice_scale(max(points))
    tick_labels = [format_value(y_format, tick) for tick in ticks]
    legend, legend_height = line_legend(series)
    short_labels = [shorten(label, MOST_X_CHARS) for label in x_labels]
    x_label_width = CHAR_WIDTH * max(len(label) for label in short_labels) + 8
    # x labels are centred on their points, so the end ones need half their width spare
    left = max(12 + CHAR_WIDTH * max(len(label) for label in tick_labels), x_label_width / 2)
    right = WIDTH - max(24, x_label_width / 2)
    top, bottom = legend_height + 16, 300 + legend_height
    fit = int((right - left) // x_label_width) + 1
    shown = sorted(thin_labels(len(x_labels), min(MOST_X_LABELS, fit)))
    height = bottom + 36

    def x_at(index: int) -> float:
        if len(x_labels) == 1:
            return (left + right) / 2
        return left + (right - left) * index / (len(x_labels) - 1)

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * value / ticks[-1]

    body = [*legend]
    for tick, label in zip(ticks, tick_labels, strict=True):
        body.append(line(left, y_at(tick), right, y_at(tick), GRID_COLOUR, stroke_width="1"))
        body.append(text(left - 8, y_at(tick) + 5, label, anchor="end", class_="app-chart__y-label"))
    for index in shown:
        body.append(line(x_at(index), bottom, x_at(index), bottom + 6, AXIS_COLOUR))
        body.append(
            text(
                x_at(index),
                bottom + 24,
                short_labels[index],
                anchor="middle",
                whole=x_labels[index],
                class_="app-chart__x-label",
            )
        )
    body.append(line(left, top, left, bottom, AXIS_COLOUR, stroke_width="2"))
    body.append(line(left, bottom, right, bottom, AXIS_COLOUR, stroke_width="2"))
    for number, one in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        for run in unbroken_runs(one.values[: len(x_labels)]):
            body.append(draw_run([(x_at(i), y_at(v)) for i, v in run], colour, one.style))

    return svg(
        chart_id("line-chart", title, (x_labels, series)),
        title,
        line_summary(title, x_labels, series, y_format),
        height,
        body,
    )


def unbroken_runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """(index, value) runs between the Nones: each run is drawn as its own line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]


def draw_run(points: list[tuple[float, float]], colour: str, style: Style) -> str:
    if len(points) == 1:
        # a lone value has no neighbour to join to, so it is shown as a dot
        (x, y) = points[0]
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline fill="none" {stroke(colour, style)} points="{coordinates}"/>'


def line_legend(series: list[Series]) -> tuple[list[str], int]:
    """A key of line samples and names, wrapping onto more rows when it runs out of width."""
    pieces, x, y = [], 0.0, 16
    for number, one in enumerate(series):
        width = 48 + CHAR_WIDTH * len(one.name) + 24
        if x and x + width > WIDTH:
            x, y = 0.0, y + 24
        colour = COLOURS[number % len(COLOURS)]
        pieces.append(
            f'<line x1="{x + 2:.1f}" y1="{y - 5}" x2="{x + 38:.1f}" y2="{y - 5}" {stroke(colour, one.style)}/>'
        )
        pieces.append(text(x + 48, y, one.name, class_="app-chart__legend"))
        x += width
    return pieces, y + 8


def line_summary(title: str, x_labels: list[str], series: list[Series], y_format: Callable[[float], object]) -> str:
    """Words for the desc: where each line starts and ends, e.g. 'Claimed rose to £1,927,400 by 2014-02'."""
    sentences = [f"{title}, {x_labels[0]} to {x_labels[-1]}." if len(x_labels) > 1 else f"{title}, {x_labels[0]}."]
    for one in series:
        known = [(x_labels[i], v) for i, v in enumerate(one.values[: len(x_labels)]) if v is not None]
        if not known:
            sentences.append(f"{one.name}: no figures yet.")
            continue
        (first_label, first), (last_label, last) = known[0], known[-1]
        amount = format_value(y_format, last)
        if len(known) == 1:
            sentences.append(f"{one.name} is {amount} in {last_label}.")
        elif last > first:
            sentences.append(f"{one.name} rose from {format_value(y_format, first)} to {amount} by {last_label}.")
        elif last < first:
            sentences.append(f"{one.name} fell from {format_value(y_format, first)} to {amount} by {last_label}.")
        else:
            sentences.append(f"{one.name} stayed at {amount} from {first_label} to {last_label}.")
    return " ".join(sentences)


# --- bar chart -------------------------------------------------------------------------------


def bar_chart(
    title: str,
    labels: list[str],
    values: list[float],
    y_format: Callable[[float], object] = pounds,
) -> Markup:
    """Horizontal bars from zero, one per label, each with its value written at its end."""
    rows = list(zip(labels, values, strict=False))
    if not rows:
        return no_data("bar-chart", title)

    ticks = nice_scale(max(value for _, value in rows))
    value_labels = [format_value(y_format, value) for _, value in rows]
    left = 12 + CHAR_WIDTH * min(28, max(len(label) for label, _ in rows))
    # room after the longest bar for its value label
    right = WIDTH - 12 - CHAR_WIDTH * max(len(label) for label in value_labels)
    row_height, top = 36, 8
    bottom = top + row_height * len(rows)
    height = bottom + 32

    def x_at(value: float) -> float:
        return left + (right - left) * max(0, value) / ticks[-1]

    tick_labels = [format_value(y_format, tick) for tick in ticks]
    # label every other tick (or fewer) when the labels are wider than the gap between ticks
    gap = (right - left) / (len(ticks) - 1)
    every = math.ceil((CHAR_WIDTH * max(len(label) for label in tick_labels) + 8) / gap)
    body = []
    for number, (tick, tick_label) in enumerate(zip(ticks, tick_labels, strict=True)):
        body.append(line(x_at(tick), top, x_at(tick), bottom, GRID_COLOUR, stroke_width="1"))
        if number % every == 0:
            body.append(text(x_at(tick), bottom + 20, tick_label, anchor="middle", class_="app-chart__x-label"))
    for row, ((label, value), value_label) in enumerate(zip(rows, value_labels, strict=True)):
        y = top + row * row_height
        body.append(
            text(left - 8, y + 23, shorten(label, 28), anchor="end", whole=label, class_="app-chart__bar-label")
        )
        body.append(
            f'<rect x="{left:.1f}" y="{y + 6:.1f}" width="{x_at(value) - left:.1f}" height="{row_height - 12}"'
            f' fill="{COLOURS[0]}"/>'
        )
        body.append(text(x_at(value) + 6, y + 23, value_label, class_="app-chart__value"))
    body.append(line(left, top, left, bottom, AXIS_COLOUR, stroke_width="2"))

    return svg(chart_id("bar-chart", title, rows), title, bar_summary(title, rows, y_format), height, body)


def shorten(label: str, most: int) -> str:
    """Cut long labels so they fit the margin; the full label is in the desc and the table."""
    return label if len(label) <= most else label[: most - 1] + "…"


def bar_summary(title: str, rows: list[tuple[str, float]], y_format: Callable[[float], object]) -> str:
    if len(rows) == 1:
        label, value = rows[0]
        return f"{title}: {label} {format_value(y_format, value)}."
    highest = max(rows, key=lambda row: row[1])
    lowest = min(rows, key=lambda row: row[1])
    return (
        f"{title}, {len(rows)} bars. Highest is {highest[0]} at {format_value(y_format, highest[1])}; "
        f"lowest is {lowest[0]} at {format_value(y_format, lowest[1])}."
    )
