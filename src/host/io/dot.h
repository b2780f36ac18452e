// Graphviz DOT helpers for Graph::to_dot (dot.cpp); tests include this for the escaping rule.
#pragma once

#include <string>
#include <string_view>

namespace varscope::io {

// `s` escaped for the inside of a DOT double-quoted string.
std::string dot_escape(std::string_view s);
// A DOT double-quoted string holding `s` literally: '"' and '\' are escaped, newlines become
// "\n" (a centered line break).
std::string dot_quote(std::string_view s);

}  // namespace varscope::io
