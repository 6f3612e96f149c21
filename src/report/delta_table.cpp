#include "report/delta_table.hpp"

#include <fmt/format.h>

#include "report/markdown_format.hpp"

namespace medvlm {
namespace {

bool has_pairs(const DeltaRow& row) { return !row.paired.is_null() && row.paired.at("pairs").get<int64_t>() > 0; }

}  // namespace

std::string delta_meaning(const DeltaRow& row) {
    if (!has_pairs(row)) {
        return "no clear difference";
    }
    const std::string decision = row.paired.at("decision").get<std::string>();
    if (decision == "higher" || decision == "lower") {
        return row.minuend + " " + decision;
    }
    return decision;
}

std::string delta_text(const DeltaRow& row) {
    if (!has_pairs(row)) {
        return "n/a";
    }
    const double delta = row.paired.at("delta").get<double>();
    return row.proportion ? points_text(delta) : fmt::format("{:+.3f}", delta);
}

std::string delta_interval_text(const DeltaRow& row) {
    if (!has_pairs(row) || row.paired.at("ci95").is_null()) {
        return "n/a";
    }
    const auto& interval = row.paired.at("ci95");
    if (row.proportion) {
        return difference_interval_text(interval);
    }
    return fmt::format("{:+.3f} to {:+.3f}", interval.at("lower").get<double>(), interval.at("upper").get<double>());
}

std::string mcnemar_text(const nlohmann::json& paired) {
    if (paired.is_null() || !paired.contains("mcnemar") || paired.at("mcnemar").is_null()) {
        return "n/a";
    }
    const double p = paired.at("mcnemar").at("p_value").get<double>();
    return p < 0.001 ? "<0.001" : fmt::format("{:.3f}", p);
}

bool delta_is_clear(const DeltaRow& row) {
    if (!has_pairs(row) || row.paired.at("ci95").is_null()) {
        return false;
    }
    const std::string decision = row.paired.at("decision").get<std::string>();
    return decision == "higher" || decision == "lower";
}

std::string render_delta_table(const std::vector<DeltaRow>& rows) {
    std::string out = "| Comparison | Delta | 95 % CI | p (McNemar) | Meaning |\n|---|---:|---|---:|---|\n";
    for (const auto& row : rows) {
        const std::string pairs = has_pairs(row) ? fmt::format(" (n={})", row.paired.at("pairs").get<int64_t>())
                                                 : " (no pairs)";
        out += fmt::format("| {}{} | {} | {} | {} | {} |\n", markdown_cell(row.comparison), pairs, delta_text(row),
                           delta_interval_text(row), mcnemar_text(row.paired), markdown_cell(delta_meaning(row)));
    }
    return out;
}

std::string superiority_claim(const DeltaRow& row) {
    const bool minuend_higher = row.paired.at("decision").get<std::string>() == "higher";
    const std::string& winner = minuend_higher ? row.minuend : row.subtrahend;
    const std::string& other = minuend_higher ? row.subtrahend : row.minuend;
    std::string text = fmt::format("{} scores higher than {} on \"{}\": {} (95 % CI {}, {} by {}, {} pairs", winner,
                                   other, row.comparison, delta_text(row), delta_interval_text(row),
                                   row.paired.at("ci95").at("method").get<std::string>(),
                                   row.paired.at("resampling_unit").get<std::string>(),
                                   row.paired.at("pairs").get<int64_t>());
    if (mcnemar_text(row.paired) != "n/a") {
        text += "; exact McNemar p = " + mcnemar_text(row.paired);
    }
    return text + ")";
}

}  // namespace medvlm
