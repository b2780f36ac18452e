// The pool behind parallel_for: workers wait for a new job generation (a short spin, then
// a futex wait through std::atomic::wait), take their chunk, and count themselves done.
#include "host/runtime/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace varscope::runtime::cpu {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins this many times before sleeping: long enough to catch the next op of a run
// (microseconds), short enough not to steal a core from oneDNN's or the caller's threads.
constexpr int kSpins = 2000;

class Pool {
 public:
  Pool() {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    workers_.reserve(static_cast<std::size_t>(cores - 1));
    for (int i = 1; i < cores; ++i)
      workers_.emplace_back([this, i] { work(i); });
  }
  ~Pool() {
    stop_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& w : workers_)
      w.join();
  }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void run(std::int64_t n, int parts, void (*chunk)(void*, std::int64_t, std::int64_t), void* ctx) {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (!lock.owns_lock()) {  // busy or nested: the caller does it all
      chunk(ctx, 0, n);
      return;
    }
    parts = std::min(parts, threads());
    n_ = n;
    parts_ = parts;
    chunk_ = chunk;
    ctx_ = ctx;
    // Every worker answers every job (those past `parts` with an empty chunk), so none can
    // still be reading this job's fields when the next one writes them.
    pending_.store(threads() - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    do_part(0);
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin < kSpins) {
        cpu_relax();
      } else {
        const int left = pending_.load(std::memory_order_acquire);
        if (left != 0) pending_.wait(left, std::memory_order_acquire);
      }
    }
  }

 private:
  void do_part(int part) {
    const std::int64_t per = (n_ + parts_ - 1) / parts_;
    const std::int64_t begin = std::min(n_, per * part);
    const std::int64_t end = std::min(n_, begin + per);
    if (begin < end) chunk_(ctx_, begin, end);
  }

  void work(int index) {
    unsigned seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      unsigned now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen; ++spin) {
        if (spin < kSpins) {
          cpu_relax();
        } else {
          generation_.wait(seen, std::memory_order_acquire);
        }
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (stop_.load(std::memory_order_relaxed)) return;
      if (index < parts_) do_part(index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex busy_;  // one job at a time
  std::atomic<unsigned> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  // The current job; written before generation_ is bumped (release), read after (acquire).
  std::int64_t n_ = 0;
  int parts_ = 0;
  void (*chunk_)(void*, std::int64_t, std::int64_t) = nullptr;
  void* ctx_ = nullptr;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int pool_threads() {
  static const int n = pool().threads();
  return n;
}

void run_parallel(std::int64_t n,
                  int parts,
                  void (*chunk)(void* ctx, std::int64_t begin, std::int64_t end),
                  void* ctx) {
  pool().run(n, parts, chunk, ctx);
}

}  // namespace varscope::runtime::cpu
