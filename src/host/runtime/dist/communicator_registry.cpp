// The process's dist::Communicator and fusion threshold: set by dist::init() (target
// varscope::dist) or a test, read by the collective kernels and the planner.
#include <atomic>
#include <mutex>
#include <utility>

#include "varscope/dist.h"

namespace varscope::dist {
namespace {

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}
std::shared_ptr<Communicator>& installed() {
  static std::shared_ptr<Communicator> communicator;
  return communicator;
}
std::atomic<std::size_t> threshold{kDefaultFusionThreshold};

}  // namespace

void set_communicator(std::shared_ptr<Communicator> communicator) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  installed() = std::move(communicator);
}

std::shared_ptr<Communicator> communicator() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  return installed();
}

void set_fusion_threshold(std::size_t bytes) {
  threshold = bytes;
}

std::size_t fusion_threshold() {
  return threshold;
}

}  // namespace varscope::dist
