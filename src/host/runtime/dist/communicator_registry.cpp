// The process's dist::Communicator and fusion threshold: set by dist::init() (target
// varscope::dist) or a test, read by the collective kernels and the planner.
#include <atomic>
#include <mutex>
#include <utility>

#include "varscope/dist.h"

namespace varscope::dist {
namespace {

// Never destroyed: dist::init's exit handler clears the communicator, and an exit handler
// registered before the first use of these would otherwise run after their destructors.
std::mutex& registry_mutex() {
  static auto* mu = new std::mutex;
  return *mu;
}
std::shared_ptr<Communicator>& installed() {
  static auto* communicator = new std::shared_ptr<Communicator>;
  return *communicator;
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
