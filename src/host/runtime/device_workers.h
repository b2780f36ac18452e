// The threads that run a several-device plan's devices 1..n-1 while the calling thread runs
// device 0 (device_schedule.cpp). A session keeps them for its life: starting threads for
// every run cost more than a small model's whole step.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace varscope::detail {

class DeviceWorkers {
 public:
  // std::system_error when the threads cannot be started (none is left running).
  explicit DeviceWorkers(std::size_t workers);
  ~DeviceWorkers();
  DeviceWorkers(const DeviceWorkers&) = delete;
  DeviceWorkers& operator=(const DeviceWorkers&) = delete;

  std::size_t size() const { return threads_.size(); }
  // job(d) on worker d - 1 for every d in [1, devices), job(0) on the calling thread; returns
  // when all have returned. `job` must not throw; devices - 1 <= size(). One run at a time.
  void run(std::size_t devices, const std::function<void(std::size_t)>& job);

 private:
  void loop(std::size_t device);

  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> generation_{0};  // bumped to start a run (or to stop)
  std::atomic<std::size_t> pending_{0};       // workers still running this run's job
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t devices_ = 0;
  bool stopping_ = false;
};

}  // namespace varscope::detail
