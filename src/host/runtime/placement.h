// A session's devices (TF's ConfigProto device_count) and the placer that puts each op on one
// of them: the op's tf.device spec, else the device of the op its `_class` colocates it with,
// else the session's default device; TF's soft placement and its error for a device the
// session does not have.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/graph/graph_impl.h"
#include "varscope/device.h"

namespace varscope::detail {

class DevicePlacer {
 public:
  // `kind` is the backend's (kCpu or kCuda). vs::InvalidArgumentError for a count below 0 or
  // above 64. A CUDA session gets min(device_count["GPU"] (default 1), gpus_available) GPUs,
  // as TF gives no more GPU devices than there are.
  DevicePlacer(DeviceKind kind,
               const std::map<std::string, int>& device_count,
               bool soft,
               int gpus_available = 1);
  // The GPUs device_count asks for (1 when it names none; 0 for a CPU session), checked.
  static int gpu_count(DeviceKind kind, const std::map<std::string, int>& device_count);
  static const DevicePlacer& one_cpu();  // a CPU session's default: /device:CPU:0 only

  // The device index (into names()) op `node` runs on; vs::InvalidArgumentError with TF's
  // text when it asks for a device the session lacks (and soft placement cannot help).
  int place(const GraphImpl& g, int node) const;
  // TF's full device names, CPUs first: "/job:localhost/replica:0/task:0/device:CPU:0".
  const std::vector<std::string>& names() const { return names_; }
  int size() const { return static_cast<int>(names_.size()); }
  int gpus() const { return gpus_; }  // the last gpus() devices: GPU:0 .. GPU:gpus()-1

 private:
  struct Device {
    std::string type;
    int index = 0;
  };
  std::vector<Device> devices_;
  std::vector<std::string> names_;
  int default_device_ = 0;  // GPU:0 on a CUDA session, else CPU:0
  int gpus_ = 0;
  bool soft_ = false;
};

}  // namespace varscope::detail
