// The library's version. The top-level CMakeLists.txt reads its project version from the
// three macros below, so this header is the one place to change it.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <string_view>

#define VARSCOPE_VERSION_MAJOR 0
#define VARSCOPE_VERSION_MINOR 1
#define VARSCOPE_VERSION_PATCH 0

// MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons.
#define VARSCOPE_VERSION \
  (VARSCOPE_VERSION_MAJOR * 10000 + VARSCOPE_VERSION_MINOR * 100 + VARSCOPE_VERSION_PATCH)

namespace varscope {

// "MAJOR.MINOR.PATCH" of the library the program runs against (which may differ from the
// header it was compiled with when varscope is a shared library).
std::string_view version();

}  // namespace varscope

#pragma GCC visibility pop
