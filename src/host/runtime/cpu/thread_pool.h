// One persistent pool of worker threads for the CPU backend's loops. Tiny loops run inline
// in the calling thread (no handoff at all); large ones are split over the calling thread
// and the workers, which spin briefly and then sleep on a futex between jobs.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

namespace varscope::runtime::cpu {

// Threads a loop run from this thread may use, the calling thread included: the count of
// the innermost ThreadLimit alive on this thread, else machine_cpu_threads(0)'s.
int pool_threads();

// Makes the pool hold at least `threads` threads with the caller (workers are started
// once and shared by all sessions; each uses at most its own count of them).
void reserve_pool_threads(int threads);

// While alive, loops run from this thread use at most `threads` threads. The CPU backend
// sets its session's count around each call. The pool must have been reserved for it.
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads);
  ~ThreadLimit();
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;

 private:
  int saved_;
};

// Runs chunk(ctx, begin, end) over [0, n) split into `parts` contiguous chunks, one per
// thread; returns when all are done. While the pool is busy (another session's op, or a
// call from inside a chunk) it runs everything in the calling thread instead.
void run_parallel(std::int64_t n,
                  int parts,
                  void (*chunk)(void* ctx, std::int64_t begin, std::int64_t end),
                  void* ctx);

// Splits [0, n) over the threads when each gets at least `min_per_thread` items (of
// roughly equal cost), else runs body(0, n) inline.
template <typename F>
void parallel_for(std::int64_t n, std::int64_t min_per_thread, F&& body) {
  std::int64_t parts = min_per_thread > 0 ? n / min_per_thread : n;
  if (parts > pool_threads()) parts = pool_threads();
  if (parts <= 1) {
    if (n > 0) body(std::int64_t{0}, n);
    return;
  }
  using Body = std::remove_reference_t<F>;
  run_parallel(
      n, static_cast<int>(parts),
      [](void* ctx, std::int64_t b, std::int64_t e) { (*static_cast<Body*>(ctx))(b, e); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

// Elements of memory-bound work worth one more thread (a handoff costs a few microseconds).
inline constexpr std::int64_t kMinElementsPerThread = std::int64_t{1} << 15;

}  // namespace varscope::runtime::cpu
