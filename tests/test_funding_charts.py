"""The server-drawn SVG charts of the funding dashboard: valid, named, described and escaped."""

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from tff.funding.charts import Series, bar_chart, line_chart, nice_scale, thin_labels

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["2013-11", "2013-12", "2014-01", "2014-02"]


def parse(chart: Markup) -> ET.Element:
    return ET.fromstring(str(chart))  # noqa: S314 - our own output, not untrusted input


def visible_x_labels(root: ET.Element) -> list[str]:
    return [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__x-label"]


def claimed(values=(400_000, 900_000, 1_500_000, 1_927_400), name="Results claimed", style="solid"):
    return Series(name, list(values), style)


def test_line_chart_is_an_accessible_image():
    chart = line_chart("Funding drawn down", MONTHS, [claimed()])

    assert isinstance(chart, Markup)
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Funding drawn down"
    assert "Results claimed rose from £400,000 to £1,927,400 by 2014-02" in desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_line_chart_summary_names_every_series():
    available = Series("Line to claim all available funding", [800_000, 1_600_000, 2_400_000, 3_200_000], "dashed")
    desc = parse(line_chart("Funding", MONTHS, [claimed(), available])).find(f"{SVG}desc").text

    assert "Results claimed rose from £400,000 to £1,927,400 by 2014-02." in desc
    assert "Line to claim all available funding rose from £800,000 to £3,200,000 by 2014-02." in desc


def test_y_axis_runs_from_zero_to_a_round_maximum():
    root = parse(line_chart("Funding", MONTHS, [claimed()]))

    y_labels = [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__y-label"]
    assert y_labels == ["£0", "£500,000", "£1,000,000", "£1,500,000", "£2,000,000"]


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [
        (1_927_400, 2_000_000, 500_000),
        (3_200_000, 4_000_000, 1_000_000),
        (1_000_000, 1_000_000, 200_000),
        (1_300_000, 1_500_000, 250_000),
        (7, 8, 2),
        (0.9, 1, 0.2),
        (0, 1, 0.2),
    ],
)
def test_nice_scale(largest, top, step):
    ticks = nice_scale(largest)

    assert ticks[0] == 0
    assert ticks[-1] == top
    assert ticks[1] == step
    assert 4 <= len(ticks) - 1 <= 6


@pytest.mark.parametrize("largest", [1, 2.6, 3.1, 6.1, 12.1, 15.1, 99, 123_456, 9_999_999, 0.03])
def test_nice_scale_always_takes_four_to_six_even_steps_over_the_maximum(largest):
    ticks = nice_scale(largest)

    assert ticks[-1] >= largest
    assert 4 <= len(ticks) - 1 <= 6
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_whole_number_ticks_show_no_decimal_point():
    assert all(isinstance(tick, int) for tick in nice_scale(1_927_400))


def test_none_breaks_the_line_in_two():
    root = parse(line_chart("Funding", ["a", "b", "c", "d", "e"], [Series("Claimed", [1, 2, None, 4, 5], "solid")]))

    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]


def test_a_lone_value_between_gaps_is_drawn_as_a_dot():
    root = parse(line_chart("Funding", ["a", "b", "c"], [Series("Claimed", [None, 2, None], "solid")]))

    assert root.findall(f"{SVG}polyline") == []
    assert len(root.findall(f"{SVG}circle")) == 1


def test_series_differ_by_dash_pattern_not_only_colour():
    series = [claimed(style="solid"), claimed(name="Fees", style="dashed"), claimed(name="Target", style="dotted")]
    lines = parse(line_chart("Funding", MONTHS, series)).findall(f"{SVG}polyline")

    assert len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3


def test_legend_names_each_series():
    series = [claimed(), claimed(name="Attachment fees", style="dashed")]
    root = parse(line_chart("Funding", MONTHS, series))

    legend = [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__legend"]
    assert legend == ["Results claimed", "Attachment fees"]


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="style"):
        Series("Claimed", [1], "wavy")


AWKWARD = 'Tom & Jerry\'s <b>"team"</b>'


def test_line_chart_escapes_every_piece_of_text():
    chart = line_chart(AWKWARD, [AWKWARD, "b"], [Series(AWKWARD, [1, 2], "solid")], y_format=lambda v: f"<{v}>")

    assert "<b>" not in chart
    root = parse(chart)
    assert root.find(f"{SVG}title").text == AWKWARD
    texts = [node.text for node in root.iter(f"{SVG}text")]
    assert AWKWARD in texts
    assert "<2>" in texts
    assert AWKWARD in root.find(f"{SVG}desc").text


def test_bar_chart_escapes_every_piece_of_text():
    chart = bar_chart(AWKWARD, [AWKWARD], [5])

    assert "<b>" not in chart
    root = parse(chart)
    assert root.find(f"{SVG}title").text == AWKWARD
    assert AWKWARD in root.find(f"{SVG}desc").text


def test_many_x_labels_are_thinned():
    months = [f"{2013 + m // 12}-{m % 12 + 1:02}" for m in range(30)]
    root = parse(line_chart("Funding", months, [Series("Claimed", list(range(30)), "solid")]))

    shown = visible_x_labels(root)
    assert 2 <= len(shown) <= 12
    assert shown[0] == "2013-01"
    # every value is still drawn; only the labels are left off
    assert len(root.find(f"{SVG}polyline").get("points").split()) == 30


@pytest.mark.parametrize("count", [1, 5, 12, 13, 24, 25, 100])
def test_thin_labels_shows_at_most_twelve_evenly(count):
    shown = sorted(thin_labels(count))

    assert shown[0] == 0
    assert len(shown) <= 12
    assert len({b - a for a, b in zip(shown, shown[1:], strict=False)}) <= 1


def test_few_x_labels_are_all_shown():
    assert visible_x_labels(parse(line_chart("Funding", MONTHS, [claimed()]))) == MONTHS


@pytest.mark.parametrize(
    ("x_labels", "series"),
    [
        ([], []),
        (MONTHS, []),
        ([], [claimed()]),
        (MONTHS, [Series("Claimed", [None, None, None, None], "solid")]),
    ],
)
def test_line_chart_without_data_says_so(x_labels, series):
    root = parse(line_chart("Funding drawn down", x_labels, series))

    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Funding drawn down"
    assert "No data yet" in root.find(f"{SVG}desc").text
    assert [node.text for node in root.iter(f"{SVG}text")] == ["No data yet"]


def test_bar_chart_without_data_says_so():
    root = parse(bar_chart("Claims by result", [], []))

    assert root.get("role") == "img"
    assert [node.text for node in root.iter(f"{SVG}text")] == ["No data yet"]


def test_bar_chart_draws_a_labelled_bar_per_value():
    chart = bar_chart("Claims by result", ["Attachment", "Progress to work", "Continuous employment"], [300, 1200, 0])

    assert isinstance(chart, Markup)
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.find(f"{SVG}title").text == "Claims by result"
    assert root.find(f"{SVG}desc").text == (
        "Claims by result, 3 bars. Highest is Progress to work at £1,200; lowest is Continuous employment at £0."
    )
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 3
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[1] > widths[0] > widths[2] == 0
    values = [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__value"]
    assert values == ["£300", "£1,200", "£0"]


def test_bar_chart_uses_the_given_format():
    root = parse(bar_chart("Families", ["North", "South"], [12, 30], y_format=lambda v: f"{v} families"))

    values = [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__value"]
    assert values == ["12 families", "30 families"]
    ticks = [node.text for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__x-label"]
    assert ticks[-1] == "30 families"


def test_charts_on_one_page_have_different_ids():
    first = parse(line_chart("Funding", MONTHS, [claimed()]))
    second = parse(line_chart("Fees", MONTHS, [claimed()]))

    assert first.find(f"{SVG}title").get("id") != second.find(f"{SVG}title").get("id")


def test_charts_are_written_in_the_pages_own_font():
    for chart in (line_chart("Claimed", MONTHS, [claimed()]), bar_chart("By result", ["Work"], [3])):
        root = parse(chart)
        assert root.get("font-family") == "inherit"
        assert all(node.get("font-family") is None for node in root.iter(f"{SVG}text"))


def _inside(root: ET.Element, x_labels: list[str]) -> None:
    """Every label, at CHARS wide a character, lies within the viewBox."""
    width = float(root.get("viewBox").split()[2])
    for node in root.iter(f"{SVG}text"):
        x, label = float(node.get("x")), "".join(node.itertext())
        if node.find(f"{SVG}title") is not None:
            label = node.find(f"{SVG}title").tail or ""
        span = 8 * len(label)
        start = {"start": x, "middle": x - span / 2, "end": x - span}[node.get("text-anchor")]
        assert start >= 0 and start + span <= width, label


def test_long_labels_are_cut_with_the_whole_label_kept_and_nothing_drawn_outside():
    long = "Claim window for the families attached in the spring of 2014 (second try)"
    labels = [long, "2013-12", "2014-01", long + " again"]
    root = parse(line_chart("Claimed", labels, [claimed((1_234_000, 2_000_000, 9_876_543, 12_345_678))]))
    shown = [node for node in root.iter(f"{SVG}text") if node.get("class") == "app-chart__x-label"]
    assert shown[0].find(f"{SVG}title").text == long
    assert shown[0].find(f"{SVG}title").tail.endswith("…")
    assert len(shown[0].find(f"{SVG}title").tail) <= 24
    _inside(root, labels)
    bars = parse(bar_chart("By result", [long, "Work"], [12_345_678, 3]))
    assert [
        node.find(f"{SVG}title").text for node in bars.iter(f"{SVG}text") if node.find(f"{SVG}title") is not None
    ] == [long]
    _inside(bars, [long])
