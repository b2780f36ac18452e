// The pool behind parallel_for. A job is cut into a few tasks per thread; the caller and
// the workers claim tasks from one atomic word until none are left, and the caller waits
// only for tasks already claimed. So a worker that is slow to wake (a busy machine, a core
// lent to oneDNN's threads) never delays a job: the caller simply does more of it.
// Idle workers spin briefly, then sleep on a condition variable. The pool is shared by all
// sessions and grows to the largest thread count asked for; a job uses only as many workers
// as its caller's ThreadLimit allows (the session's count, cpu/thread_count.h).
#include "host/runtime/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "host/runtime/cpu/thread_count.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// The caller spins this many times for a claimed task before yielding its core.
constexpr int kSpins = 2000;
// An idle worker spins this long before sleeping: long enough to bridge the gaps between
// the parallel parts of a run (an LSTM step's products are a few small ops apart, hundreds
// of microseconds: a worker asleep wakes late for every product, and a 2-vCPU Zen 3 ran the
// step 4-6% slower with 2000 pauses, ~50 us), short enough to give the core back soon after
// a run. A time, not a count: a pause takes from a few cycles to 140 across x86 cores.
constexpr std::chrono::microseconds kIdleSpin{500};
// Pauses between clock reads while spinning idle.
constexpr int kPausesPerClockRead = 64;
// Tasks per thread: small enough pieces that a late thread's share is taken by the others.
constexpr std::int64_t kTasksPerThread = 4;

// The claim word: job generation (32 bits) | task count (16 bits) | next task (16 bits).
// A task claimed by compare-and-swap belongs to the job it was claimed from, whose fields
// stay valid until that task is done (the caller waits for it).
constexpr std::uint64_t kTaskBits = 16;
constexpr std::uint64_t kTaskMask = (std::uint64_t{1} << kTaskBits) - 1;
constexpr std::int64_t kMaxTasks = static_cast<std::int64_t>(kTaskMask);

class Pool {
 public:
  Pool() = default;
  ~Pool() {
    stop_.store(true, std::memory_order_relaxed);
    wake_workers();
    for (auto& w : workers_)
      w.join();
  }

  // Starts workers until the pool has `threads` threads with the caller (never fewer).
  void grow(int threads) {
    std::lock_guard<std::mutex> lock(busy_);  // no job in flight while workers are added
    const int have = static_cast<int>(workers_.size());
    if (threads - 1 <= have) return;
    workers_.reserve(static_cast<std::size_t>(threads - 1));
    for (int i = have; i < threads - 1; ++i) {
      // The jobs seen so far: a new worker waits for the next one.
      const unsigned seen = wake_.load(std::memory_order_acquire);
      workers_.emplace_back([this, i, seen] { work(i, seen); });
    }
  }

  void run(std::int64_t n, int parts, void (*chunk)(void*, std::int64_t, std::int64_t), void* ctx) {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (!lock.owns_lock()) {  // busy or nested: the caller does it all
      chunk(ctx, 0, n);
      return;
    }
    // Workers 0 .. active-1 take part; the others (started for a session with more
    // threads) stay out, so a session never runs on more threads than its count.
    const int active = std::min(parts - 1, static_cast<int>(workers_.size()));
    if (active <= 0) {
      lock.unlock();
      chunk(ctx, 0, n);
      return;
    }
    active_.store(active, std::memory_order_relaxed);
    const std::int64_t tasks = std::min({n, kMaxTasks, parts * kTasksPerThread});
    n_ = n;
    tasks_ = tasks;
    chunk_ = chunk;
    ctx_ = ctx;
    done_.store(0, std::memory_order_relaxed);
    ++generation_;
    claim_.store((std::uint64_t{generation_} << (2 * kTaskBits)) |
                     (static_cast<std::uint64_t>(tasks) << kTaskBits),
                 std::memory_order_release);
    wake_workers();
    while (claim_and_run(-1)) {
    }
    for (int spin = 0;; ++spin) {
      const int done = done_.load(std::memory_order_acquire);
      if (done == static_cast<int>(tasks)) break;
      // What is left are tasks a worker is running: short, so spin, then yield the core.
      if (spin < kSpins) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  // Claims and runs one task of the current job; false when none is left, or when worker
  // `index` takes no part in it (the caller passes -1).
  bool claim_and_run(int index) {
    std::uint64_t word = claim_.load(std::memory_order_acquire);
    for (;;) {
      // Read after the word (acquire): at least the active count of the word's job. A newer
      // job's count goes with a newer word, and the exchange below then fails.
      if (index >= active_.load(std::memory_order_relaxed)) return false;
      const std::uint64_t next = word & kTaskMask;
      const std::uint64_t total = (word >> kTaskBits) & kTaskMask;
      if (next >= total) return false;
      if (claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        const auto task = static_cast<std::int64_t>(next);
        const std::int64_t tasks = tasks_;
        const std::int64_t begin = n_ * task / tasks, end = n_ * (task + 1) / tasks;
        if (begin < end) {
          try {
            chunk_(ctx_, begin, end);
          } catch (...) {  // kept for the caller; the job still counts this task done
            std::lock_guard<std::mutex> lock(error_mu_);
            if (!error_) error_ = std::current_exception();
          }
        }
        done_.fetch_add(1, std::memory_order_acq_rel);
        return true;
      }
    }
  }

  // Bumps the job counter and wakes sleeping workers. seq_cst on both sides: a worker
  // about to sleep either sees the new count or is seen as a sleeper.
  void wake_workers() {
    wake_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lock(sleep_mu_); }
      sleep_cv_.notify_all();
    }
  }

  // `seen` is passed in, not read here: a worker that starts late (after a job, or after
  // the destructor's wake-up) must not take that wake-up as already seen.
  void work(int index, unsigned seen) {
    for (;;) {
      auto sleep_at = std::chrono::steady_clock::time_point::max();
      for (int spin = 0; wake_.load(std::memory_order_acquire) == seen; ++spin) {
        if (spin % kPausesPerClockRead != 0) {
          cpu_relax();
          continue;
        }
        const auto now = std::chrono::steady_clock::now();
        if (spin == 0) sleep_at = now + kIdleSpin;
        if (now < sleep_at) continue;
        std::unique_lock<std::mutex> lock(sleep_mu_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        while (wake_.load(std::memory_order_seq_cst) == seen)
          sleep_cv_.wait(lock);
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = wake_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_relaxed)) return;
      while (claim_and_run(index)) {
      }
    }
  }

  std::vector<std::thread> workers_;  // grown under busy_
  std::atomic<int> active_{0};        // workers taking part in the current job
  std::mutex busy_;                   // one job at a time
  std::atomic<unsigned> wake_{0};     // bumped per job (and at exit)
  std::atomic<int> sleepers_{0};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  std::mutex error_mu_;
  std::exception_ptr error_;      // the first exception a task threw
  std::uint32_t generation_ = 0;  // written by the caller holding busy_
  // The current job, written before claim_ is published (release).
  std::int64_t n_ = 0;
  std::int64_t tasks_ = 1;
  void (*chunk_)(void*, std::int64_t, std::int64_t) = nullptr;
  void* ctx_ = nullptr;
};

Pool& pool() {
  static Pool p;
  return p;
}

// The loops' thread count on this thread: a ThreadLimit's, else the machine's.
thread_local int t_limit = 0;

int default_threads() {
  static const int n = [] {
    int threads = 1;
    try {
      threads = machine_cpu_threads(0).threads;
    } catch (const Error&) {  // a bad VARSCOPE_CPU_THREADS: sessions report it
      threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    // Not grown here: this may run in a worker, inside a job that holds the pool. Loops
    // outside a backend use the workers there are (a backend reserves its count).
    return threads;
  }();
  return n;
}

}  // namespace

int pool_threads() {
  return t_limit > 0 ? t_limit : default_threads();
}

void reserve_pool_threads(int threads) {
  pool().grow(threads);
}

ThreadLimit::ThreadLimit(int threads) : saved_(t_limit) {
  t_limit = threads;
}

ThreadLimit::~ThreadLimit() {
  t_limit = saved_;
}

void run_parallel(std::int64_t n,
                  int parts,
                  void (*chunk)(void* ctx, std::int64_t begin, std::int64_t end),
                  void* ctx) {
  pool().run(n, parts, chunk, ctx);
}

}  // namespace varscope::runtime::cpu
