#include "engine/prefix_tree.hpp"

#include <numeric>

#include "core/error.hpp"

namespace medvlm {

PrefixTree::PrefixTree() : root_(std::make_unique<Node>()) {}

PrefixTree::~PrefixTree() = default;

int64_t PrefixTree::insert(std::span<const int64_t> ids, std::span<const int32_t> weights) {
    if (ids.size() != weights.size()) {
        throw Error("PrefixTree::insert: " + std::to_string(ids.size()) + " ids but " +
                    std::to_string(weights.size()) + " weights");
    }
    Node* node = root_.get();
    size_t i = 0;
    while (i < ids.size()) {
        const auto found = node->children.find(ids[i]);
        if (found == node->children.end()) {
            break;
        }
        Node* child = found->second.get();
        size_t matched = 0;
        while (matched < child->label.size() && i + matched < ids.size() && child->label[matched] == ids[i + matched]) {
            ++matched;
        }
        if (matched < child->label.size()) {
            // Split the edge so the shared part becomes its own node.
            auto middle = std::make_unique<Node>();
            middle->label.assign(child->label.begin(), child->label.begin() + static_cast<std::ptrdiff_t>(matched));
            child->label.erase(child->label.begin(), child->label.begin() + static_cast<std::ptrdiff_t>(matched));
            const int64_t rest_first = child->label.front();
            middle->children[rest_first] = std::move(found->second);
            found->second = std::move(middle);
            ++node_count_;
        }
        node = found->second.get();
        i += matched;
    }
    if (i == ids.size()) {
        return 0;
    }

    auto leaf = std::make_unique<Node>();
    leaf->label.assign(ids.begin() + static_cast<std::ptrdiff_t>(i), ids.end());
    node->children[ids[i]] = std::move(leaf);
    ++node_count_;
    return std::accumulate(weights.begin() + static_cast<std::ptrdiff_t>(i), weights.end(), int64_t{0});
}

}  // namespace medvlm
