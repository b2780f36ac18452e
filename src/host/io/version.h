// The library version written into checkpoint metadata. Keep in step with project(VERSION)
// in the top-level CMakeLists.txt.
#pragma once

#include <string_view>

namespace varscope::io {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace varscope::io
