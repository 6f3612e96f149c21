#pragma once
// Inline SVG charts for the HTML reports: horizontal grouped bars with
// optional interval whiskers, and forest plots (a point estimate with its
// interval per row). Both draw labelled vertical reference lines, such as
// the random and constant-letter baselines or 0 for differences.
//
// The output is a complete <figure class="chart"> element with the SVG
// inline, so the page needs no script, font or file besides itself.

#include <optional>
#include <string>
#include <vector>

namespace medvlm {

struct ReferenceLine {
    double value = 0;
    std::string label;  // drawn above the line, such as "random 20.0 %"
};

struct ChartBar {
    std::string series;  // legend entry; bars of one series share a colour
    double value = 0;
    std::optional<double> lower;  // interval whiskers, when known
    std::optional<double> upper;
};

struct ChartGroup {
    std::string label;
    std::vector<ChartBar> bars;
};

struct ChartScale {
    bool percent = true;  // axis labels as percentages of 1
    double min = 0;       // widened to include every value, bound and reference
    double max = 1;
};

struct BarChart {
    std::string id;  // the figure's id attribute
    std::string title;
    std::string caption;
    std::vector<ChartGroup> groups;
    std::vector<ReferenceLine> references;
    ChartScale scale;
};

struct ForestRow {
    std::string label;
    double estimate = 0;
    std::optional<double> lower;
    std::optional<double> upper;
};

struct ForestPlot {
    std::string id;
    std::string title;
    std::string caption;
    std::vector<ForestRow> rows;
    std::vector<ReferenceLine> references;
    ChartScale scale;
};

// The colour of the series at `index` in the fixed palette.
[[nodiscard]] std::string series_colour(size_t index);

[[nodiscard]] std::string render_bar_chart(const BarChart& chart);
[[nodiscard]] std::string render_forest_plot(const ForestPlot& plot);

// Text escaped for XML and HTML content and attribute values.
[[nodiscard]] std::string escape_xml(const std::string& text);

}  // namespace medvlm
