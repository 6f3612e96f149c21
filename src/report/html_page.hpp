#pragma once
// Building blocks of the self-contained HTML reports. A page loads nothing
// but itself: its styles are inline, its charts are inline SVG, it has no
// script, and its Content-Security-Policy forbids every other resource, so
// a browser that opens it from disk sends no request at all.

#include <string>
#include <vector>

#include "report/delta_table.hpp"
#include "report/model_card.hpp"

namespace medvlm {

// The complete document with `body` (already HTML) inside <body>.
[[nodiscard]] std::string html_document(const std::string& title, const std::string& body);

// A table whose cells are plain text, escaped here. Columns listed in
// `numeric_columns` are right-aligned.
[[nodiscard]] std::string html_table(const std::vector<std::string>& header,
                                     const std::vector<std::vector<std::string>>& rows,
                                     const std::vector<size_t>& numeric_columns = {});

// A highlighted box for warnings and notices ("warning" or "notice").
[[nodiscard]] std::string html_notice(const std::string& text, const std::string& kind);

[[nodiscard]] std::string html_paragraph(const std::string& text);

// The model card as a table with its notices, telemetry line and the claims.
[[nodiscard]] std::string html_model_card(const ModelCard& card);
[[nodiscard]] std::string html_claims(const std::vector<DeltaRow>& claimable);

// The delta table: Comparison | Delta | 95 % CI | p (McNemar) | Meaning.
[[nodiscard]] std::string html_delta_table(const std::vector<DeltaRow>& rows);

}  // namespace medvlm
