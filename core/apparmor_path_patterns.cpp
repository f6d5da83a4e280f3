#include "core/apparmor_path_patterns.h"

#include <map>
#include <memory>

namespace pct {

namespace {

struct Node {
    bool kept_subtree = false;  // the path so far is a kept entry
    bool kept_prefix = false;   // the path so far is a kept entry ending in '*'
    std::map<char, std::unique_ptr<Node>> next;
};

std::string class_member(char c) {
    // Characters with a meaning inside [...] are escaped.
    if (c == '-' || c == '^' || c == ']' || c == '\\') return std::string("\\") + c;
    return std::string(1, c);
}

void emit(const Node& node, const std::string& path, std::vector<std::string>& out) {
    if (node.kept_prefix) {
        out.push_back(path + "*/**");
        return;
    }
    if (node.kept_subtree || node.next.empty()) {
        out.push_back(path + "?*{,/**}");  // longer names that merely start like a kept one
        return;
    }
    std::string others;
    for (const auto& [c, child] : node.next)
        if (c != '/') others += class_member(c);
    if (others.empty()) {
        out.push_back(path + "?*{,/**}");
    } else {
        if (node.next.count('/')) others += '/';
        out.push_back(path + "[^" + others + "]*{,/**}");
    }
    for (const auto& [c, child] : node.next) emit(*child, path + c, out);
}

}  // namespace

std::vector<std::string> apparmor_paths_outside(const std::string& base, const std::vector<std::string>& kept) {
    Node root;
    for (const std::string& entry : kept) {
        const bool prefix = !entry.empty() && entry.back() == '*';
        const std::string literal = prefix ? entry.substr(0, entry.size() - 1) : entry;
        Node* node = &root;
        for (char c : literal) {
            auto& child = node->next[c];
            if (!child) child = std::make_unique<Node>();
            node = child.get();
        }
        (prefix ? node->kept_prefix : node->kept_subtree) = true;
    }
    std::vector<std::string> out;
    if (root.next.empty()) {
        out.push_back(base + "**");
        return out;
    }
    emit(root, base, out);
    return out;
}

}  // namespace pct
