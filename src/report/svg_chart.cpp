#include "report/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace medvlm {
namespace {

// Layout in SVG user units (pixels at 100 % zoom).
constexpr double kWidth = 760;
constexpr double kLabelWidth = 250;
constexpr double kRightMargin = 30;
constexpr double kTopMargin = 40;  // reference labels and legend
constexpr double kAxisHeight = 34;
constexpr double kBarHeight = 14;
constexpr double kBarGap = 3;
constexpr double kGroupGap = 10;
constexpr double kForestRowHeight = 22;
constexpr size_t kMaxLabelCharacters = 40;

// Colour-blind-safe palette (Okabe and Ito, 2008), then greys.
const char* const kPalette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#555555"};
const char* const kReferenceColour = "#b00020";

// Labels longer than the label column are cut, keeping whole UTF-8
// characters; the full text is in the <title> tooltip.
std::string shorten_label(const std::string& text) {
    size_t characters = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++characters > kMaxLabelCharacters) {
            return text.substr(0, i) + "...";
        }
    }
    return text;
}

struct Axis {
    double min;
    double max;
    bool percent;

    [[nodiscard]] double x(double value) const {
        const double span = max - min;
        return kLabelWidth + (value - min) / span * (kWidth - kLabelWidth - kRightMargin);
    }
};

// Widens the scale to every value to draw, then rounds it outwards to a
// tenth of the range so ticks fall on round numbers.
Axis make_axis(const ChartScale& scale, const std::vector<double>& values) {
    double low = scale.min;
    double high = scale.max;
    for (const double value : values) {
        if (std::isfinite(value)) {
            low = std::min(low, value);
            high = std::max(high, value);
        }
    }
    if (high - low < 1e-9) {
        high = low + 1;
    }
    const double step = std::pow(10.0, std::floor(std::log10(high - low))) / 2;
    return {std::floor(low / step) * step, std::ceil(high / step) * step, scale.percent};
}

std::string tick_label(double value, bool percent) {
    if (percent) {
        return fmt::format("{:g} %", std::round(value * 1000) / 10);
    }
    return fmt::format("{:g}", std::round(value * 1000) / 1000);
}

std::string value_label(double value, bool percent) {
    return percent ? fmt::format("{:.1f} %", 100 * value) : fmt::format("{:.3f}", value);
}

void draw_axis(const Axis& axis, double top, double bottom, std::string& svg) {
    constexpr int kTicks = 5;
    for (int i = 0; i <= kTicks; ++i) {
        const double value = axis.min + (axis.max - axis.min) * i / kTicks;
        const double x = axis.x(value);
        svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#dddddd\"/>", x,
                           top, bottom);
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" class=\"tick\">{}</text>", x,
                           bottom + 16, escape_xml(tick_label(value, axis.percent)));
    }
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#333333\"/>",
                       axis.x(axis.min), bottom, axis.x(axis.max));
}

// Labels alternate between two heights so close lines stay readable. A
// line sits on a whole-pixel boundary with a 2-unit stroke, so at 100 %
// zoom it fills two pixel columns in its own colour. A thinner or off-grid
// line is drawn only in blended, lighter shades.
void draw_references(const Axis& axis, const std::vector<ReferenceLine>& references, double top, double bottom,
                     std::string& svg) {
    for (size_t i = 0; i < references.size(); ++i) {
        const double x = std::round(axis.x(references[i].value));
        svg += fmt::format(
            "<line class=\"reference\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
            "stroke-width=\"2\" stroke-dasharray=\"5 3\"/>",
            x, top - 4, bottom, kReferenceColour);
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" class=\"reference-label\" "
                           "fill=\"{}\">{}</text>",
                           x, top - (i % 2 == 0 ? 8 : 20), kReferenceColour, escape_xml(references[i].label));
    }
}

void draw_whisker(const Axis& axis, double lower, double upper, double y, std::string& svg) {
    svg += fmt::format(
        "<line class=\"interval\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#222222\" "
        "stroke-width=\"1.5\"/>",
        axis.x(lower), y, axis.x(upper), y);
    for (const double end : {lower, upper}) {
        svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#222222\" "
                           "stroke-width=\"1.5\"/>",
                           axis.x(end), y - 4, y + 4);
    }
}

std::string open_figure(const std::string& id, const std::string& title, double height, const std::string& kind) {
    return fmt::format(
        "<figure class=\"chart {0}\" id=\"{1}\"><h3>{2}</h3><svg xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\"{3:.0f}\" height=\"{4:.0f}\" viewBox=\"0 0 {3:.0f} {4:.0f}\" role=\"img\" aria-label=\"{2}\" "
        "font-family=\"sans-serif\" font-size=\"12\">",
        kind, escape_xml(id), escape_xml(title), kWidth, height);
}

std::string close_figure(const std::string& caption) {
    return "</svg><figcaption>" + escape_xml(caption) + "</figcaption></figure>\n";
}

std::vector<std::string> series_order(const std::vector<ChartGroup>& groups) {
    std::vector<std::string> series;
    for (const auto& group : groups) {
        for (const auto& bar : group.bars) {
            if (std::find(series.begin(), series.end(), bar.series) == series.end()) {
                series.push_back(bar.series);
            }
        }
    }
    return series;
}

void draw_legend(const std::vector<std::string>& series, std::string& svg) {
    double x = 10;
    for (size_t i = 0; i < series.size(); ++i) {
        svg += fmt::format("<rect x=\"{:.1f}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/>", x, series_colour(i));
        svg += fmt::format("<text x=\"{:.1f}\" y=\"13\">{}</text>", x + 14, escape_xml(shorten_label(series[i])));
        x += 24 + 7.0 * static_cast<double>(std::min(series[i].size(), kMaxLabelCharacters));
    }
}

}  // namespace

std::string series_colour(size_t index) { return kPalette[index % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

std::string escape_xml(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string render_bar_chart(const BarChart& chart) {
    const auto series = series_order(chart.groups);
    std::vector<double> values;
    double height = kTopMargin;
    for (const auto& group : chart.groups) {
        for (const auto& bar : group.bars) {
            values.push_back(bar.value);
            values.push_back(bar.lower.value_or(bar.value));
            values.push_back(bar.upper.value_or(bar.value));
        }
        height += static_cast<double>(group.bars.size()) * (kBarHeight + kBarGap) + kGroupGap;
    }
    for (const auto& reference : chart.references) {
        values.push_back(reference.value);
    }
    const Axis axis = make_axis(chart.scale, values);
    const double plot_bottom = height;
    height += kAxisHeight;

    std::string svg = open_figure(chart.id, chart.title, height, "bar-chart");
    draw_legend(series, svg);
    draw_axis(axis, kTopMargin, plot_bottom, svg);
    double y = kTopMargin;
    for (const auto& group : chart.groups) {
        const double group_height = static_cast<double>(group.bars.size()) * (kBarHeight + kBarGap);
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"label\"><title>{}</title>{}</text>",
                           kLabelWidth - 8, y + group_height / 2 + 4, escape_xml(group.label),
                           escape_xml(shorten_label(group.label)));
        for (const auto& bar : group.bars) {
            const size_t colour = static_cast<size_t>(std::find(series.begin(), series.end(), bar.series) - series.begin());
            const double start = axis.x(std::max(axis.min, std::min(0.0, bar.value)));
            const double end = axis.x(std::max(0.0, bar.value));
            svg += fmt::format(
                "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: "
                "{}</title></rect>",
                start, y, std::max(1.0, end - start), kBarHeight, series_colour(colour), escape_xml(bar.series),
                escape_xml(value_label(bar.value, axis.percent)));
            if (bar.lower && bar.upper) {
                draw_whisker(axis, *bar.lower, *bar.upper, y + kBarHeight / 2, svg);
            }
            y += kBarHeight + kBarGap;
        }
        y += kGroupGap;
    }
    draw_references(axis, chart.references, kTopMargin, plot_bottom, svg);
    return svg + close_figure(chart.caption);
}

std::string render_forest_plot(const ForestPlot& plot) {
    std::vector<double> values;
    for (const auto& row : plot.rows) {
        values.push_back(row.estimate);
        values.push_back(row.lower.value_or(row.estimate));
        values.push_back(row.upper.value_or(row.estimate));
    }
    for (const auto& reference : plot.references) {
        values.push_back(reference.value);
    }
    const Axis axis = make_axis(plot.scale, values);
    const double plot_bottom = kTopMargin + static_cast<double>(plot.rows.size()) * kForestRowHeight + 6;
    const double height = plot_bottom + kAxisHeight;

    std::string svg = open_figure(plot.id, plot.title, height, "forest-plot");
    draw_axis(axis, kTopMargin, plot_bottom, svg);
    for (size_t i = 0; i < plot.rows.size(); ++i) {
        const ForestRow& row = plot.rows[i];
        const double y = kTopMargin + (static_cast<double>(i) + 0.5) * kForestRowHeight;
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" class=\"label\"><title>{}</title>{}</text>",
                           kLabelWidth - 8, y + 4, escape_xml(row.label), escape_xml(shorten_label(row.label)));
        if (row.lower && row.upper) {
            draw_whisker(axis, *row.lower, *row.upper, y, svg);
        }
        svg += fmt::format(
            "<rect class=\"estimate\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"9\" height=\"9\" fill=\"{}\"><title>{}</title></rect>",
            axis.x(row.estimate) - 4.5, y - 4.5, series_colour(0), escape_xml(value_label(row.estimate, axis.percent)));
    }
    draw_references(axis, plot.references, kTopMargin, plot_bottom, svg);
    return svg + close_figure(plot.caption);
}

}  // namespace medvlm
