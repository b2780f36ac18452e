// OpenBLAS (float64 GEMM) picks its kernels from the CPU's model number. Debian's 0.3.21
// does not know CPUs newer than itself (a Sapphire Rapids Xeon) and falls back to its
// generic Prescott kernels: a 1024^3 dgemm took 80-104 ms on 2 threads instead of 22 ms.
// OpenBLAS lets a user choose the kernels only through OPENBLAS_CORETYPE, read when it
// initializes; so when the library loads, if OpenBLAS chose Prescott on a CPU with AVX-512
// (or AVX2 and FMA), it is initialized again with the kernels that CPU can run, the variable
// set only around that call (at load time, before the program's threads). A user's own
// OPENBLAS_CORETYPE is left alone. Builds without run-time dispatch lack the two entry
// points (weak here) and are left alone too. The switch is process-wide: other OpenBLAS
// users in the process get the same (right) kernels. A program that loads varscope late
// (dlopen) while other threads call OpenBLAS or read the environment should set
// OPENBLAS_CORETYPE itself, so that nothing is switched under them.
#include <cstdlib>
#include <cstring>
#include <string>

#include "host/runtime/cpu/cpu_ops.h"

extern "C" {
char* openblas_get_corename(void);
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace varscope::runtime::cpu {
namespace {

// The kernels this CPU (and its OS) can run, by OpenBLAS's core names; null: no better
// choice than OpenBLAS's own.
const char* best_x86_core() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;
}

__attribute__((constructor)) void choose_openblas_kernels() {
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return;
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  const char* chosen = openblas_get_corename();
  if (chosen == nullptr || std::strcmp(chosen, "Prescott") != 0) return;
  const char* best = best_x86_core();
  if (best == nullptr) return;
  setenv("OPENBLAS_CORETYPE", best, 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace

std::string openblas_kernels() {
  const char* name = openblas_get_corename();
  return name != nullptr ? name : "unknown";
}

}  // namespace varscope::runtime::cpu
