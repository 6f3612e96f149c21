#pragma once
// The prompts an engine has seen, stored as a radix tree of shared
// prefixes. It counts the least prompt work a run needs: with an unbounded
// cache, each distinct prefix is evaluated once, so a prompt costs only the
// tokens past the longest prefix it shares with an earlier prompt.
//
//     PrefixTree tree;
//     tree.insert({1, 2, 3}, {1, 1, 1});  // 3: nothing seen before
//     tree.insert({1, 2, 4}, {1, 1, 1});  // 1: only the last element is new
//
// Memory grows with the distinct content (about 8 bytes per distinct
// element plus one node per branch point).

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace medvlm {

class PrefixTree {
public:
    PrefixTree();
    ~PrefixTree();
    PrefixTree(const PrefixTree&) = delete;
    PrefixTree& operator=(const PrefixTree&) = delete;

    // Adds a prompt given as element ids with one weight (token count) each
    // and returns the summed weight of its elements past the longest prefix
    // shared with any earlier prompt. ids and weights have the same length.
    int64_t insert(std::span<const int64_t> ids, std::span<const int32_t> weights);

    [[nodiscard]] size_t node_count() const { return node_count_; }

private:
    struct Node {
        std::vector<int64_t> label;  // the ids on the edge into this node
        std::map<int64_t, std::unique_ptr<Node>> children;  // keyed by the first id of each child's label
    };

    std::unique_ptr<Node> root_;
    size_t node_count_ = 1;
};

}  // namespace medvlm
