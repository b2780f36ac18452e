// The mode of one run of a plan (SessionImpl::run_steps, the one loop every run goes
// through): how it gets its temporaries, whether its steps are recorded, and which host-side
// checks it notes. A plain run allocates; the plain first run of a CUDA Graph recording also
// notes each temporary's size; the recording allocates nothing (it hands out, in order, the
// buffers allocated for it beforehand), starts the backend's capture once the feeds are in,
// and notes the checks a replay must make again.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/plan.h"

namespace varscope::detail {

// Backend memory freed when its last owner goes.
std::shared_ptr<void> allocate(runtime::Backend& backend, std::size_t bytes);

class RunContext {
 public:
  // A plain run; `sizes`, when given, receives the size of every temporary, in order.
  explicit RunContext(runtime::Backend& backend, std::vector<std::size_t>* sizes = nullptr)
      : main_(&backend), backend_(&backend), sizes_(sizes) {}
  // The recording of `recording`, whose buffers are allocated.
  RunContext(runtime::Backend& backend, CapturedRun& recording)
      : main_(&backend), backend_(&backend), recording_(&recording) {}

  // The backend of the device the current step (or feed) is on: its work and temporaries
  // go there. A session of one backend never changes it (its devices may run on several
  // threads); one of several GPUs sets it before each step (SessionImpl::execute).
  runtime::Backend& backend() const { return *backend_; }
  void use(runtime::Backend& backend) { backend_ = &backend; }
  // Several GPUs: the device of each slot's value (SessionImpl::slot_devices); else null.
  const std::vector<int>* slot_devices = nullptr;

  // A run's values: fresh memory, or while recording, the recording's next buffer.
  std::shared_ptr<void> temporary(std::size_t bytes);
  // Between the feeds and the first step: a recording starts the backend's capture here.
  void start_steps() {
    if (recording_ == nullptr) return;
    main_->begin_capture();
    capturing_ = true;
  }
  // Whether the backend is capturing this run's work (until end_capture or abort_capture).
  bool capturing() const { return capturing_; }
  void capture_ended() { capturing_ = false; }
  // Nothing may be allocated or uploaded while recording: memory would belong to the graph.
  bool recording() const { return recording_ != nullptr; }
  // A plain run that notes nothing: its steps may run on several threads.
  bool plain() const { return recording_ == nullptr && sizes_ == nullptr; }
  // A check a replay makes again (noted only while recording).
  void note(const GraphCheck& check) {
    if (recording_ != nullptr) checks_.push_back(check);
  }
  // Recording: vs::InternalError unless the run took every buffer of its first run.
  void check_all_buffers_taken() const;
  std::vector<GraphCheck> take_checks() { return std::move(checks_); }

 private:
  runtime::Backend* main_;     // the run's: a recording captures on it (one backend only)
  runtime::Backend* backend_;  // the current step's
  std::vector<std::size_t>* sizes_ = nullptr;
  CapturedRun* recording_ = nullptr;
  std::size_t next_buffer_ = 0;
  bool capturing_ = false;
  std::vector<GraphCheck> checks_;
};

}  // namespace varscope::detail
