// Shared by the benchmark binaries.
#pragma once

#include <cstdlib>

namespace bench {

// VARSCOPE_BENCH_SMOKE=1: tiny sizes, so that CI can run every binary once in seconds.
inline bool smoke() {
  static const bool on = [] {
    const char* v = std::getenv("VARSCOPE_BENCH_SMOKE");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return on;
}

}  // namespace bench
