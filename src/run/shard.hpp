#pragma once
// `--shard i/n`: a deterministic part of a run's rows, so one run can be
// spread over several processes, servers or machines and merged afterwards.
//
// Shards are numbered from 1, as in `--shard 1/3`, `--shard 2/3`,
// `--shard 3/3`. Row r of the loaded dataset (counted from 0, after the
// split, language and --limit filters) belongs to shard (r mod n) + 1, with
// every mode and rotation of that row. The rows of a dataset are always
// loaded in file order, so each shard covers the same rows on every machine.

#include <string>
#include <string_view>

namespace medvlm {

struct ShardSpec {
    int index = 1;  // 1..count
    int count = 1;

    [[nodiscard]] bool is_whole_run() const { return count == 1; }
    [[nodiscard]] bool contains_row(size_t row) const {
        return static_cast<int>(row % static_cast<size_t>(count)) == index - 1;
    }
    // "i/n", or "1/1" for a whole run.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const ShardSpec&, const ShardSpec&) = default;
};

// Parses "i/n" with 1 <= i <= n. Throws InputError with the accepted form.
[[nodiscard]] ShardSpec parse_shard(std::string_view text);

}  // namespace medvlm
