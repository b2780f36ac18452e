#include "host/runtime/device_workers.h"

namespace varscope::detail {

DeviceWorkers::DeviceWorkers(std::size_t workers) {
  try {
    for (std::size_t d = 1; d <= workers; ++d)
      threads_.emplace_back(&DeviceWorkers::loop, this, d);
  } catch (...) {
    stopping_ = true;
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (std::thread& t : threads_)
      t.join();
    throw;
  }
}

DeviceWorkers::~DeviceWorkers() {
  stopping_ = true;
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::thread& t : threads_)
    t.join();
}

void DeviceWorkers::run(std::size_t devices, const std::function<void(std::size_t)>& job) {
  job_ = &job;
  devices_ = devices;
  pending_.store(devices - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);  // publishes job_ and devices_
  generation_.notify_all();
  job(0);
  for (std::size_t left = pending_.load(std::memory_order_acquire); left != 0;
       left = pending_.load(std::memory_order_acquire)) {
    pending_.wait(left, std::memory_order_acquire);
  }
}

void DeviceWorkers::loop(std::size_t device) {
  std::uint64_t seen = 0;
  for (;;) {
    std::uint64_t now = generation_.load(std::memory_order_acquire);
    while (now == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      now = generation_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stopping_) return;
    if (device >= devices_) continue;  // this run has fewer devices
    (*job_)(device);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
  }
}

}  // namespace varscope::detail
