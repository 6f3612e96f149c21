#include "run/shard.hpp"

#include <charconv>

#include "core/error.hpp"

namespace medvlm {
namespace {

bool parse_positive(std::string_view text, int& value) {
    if (text.empty()) {
        return false;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && value > 0;
}

}  // namespace

std::string ShardSpec::to_string() const { return std::to_string(index) + "/" + std::to_string(count); }

ShardSpec parse_shard(std::string_view text) {
    const std::string usage = "invalid --shard '" + std::string(text) +
                              "'; expected i/n with 1 <= i <= n, for example 1/4 for the first of four shards";
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        throw InputError(usage);
    }
    ShardSpec shard;
    if (!parse_positive(text.substr(0, slash), shard.index) || !parse_positive(text.substr(slash + 1), shard.count) ||
        shard.index > shard.count) {
        throw InputError(usage);
    }
    return shard;
}

}  // namespace medvlm
