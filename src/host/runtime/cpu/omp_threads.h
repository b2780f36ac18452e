// oneDNN's thread count for one call. Debian builds oneDNN on OpenMP, whose team size is
// the calling thread's nthreads-var: omp_set_num_threads in this thread changes only this
// thread's setting, and the destructor restores it, so the application's OpenMP setting is
// left as it was.
#pragma once

#include <dnnl.h>

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

namespace varscope::runtime::cpu {

class ScopedOmpThreads {
 public:
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  explicit ScopedOmpThreads(int threads) : saved_(omp_get_max_threads()) {
    if (saved_ != threads) omp_set_num_threads(threads);
  }
  ~ScopedOmpThreads() {
    if (omp_get_max_threads() != saved_) omp_set_num_threads(saved_);
  }
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int saved_;
#else
  explicit ScopedOmpThreads(int /*threads*/) {}
#endif
};

}  // namespace varscope::runtime::cpu
