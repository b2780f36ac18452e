// TF's device specification strings (device_spec.py): "/job:w/replica:0/task:1/device:GPU:0",
// with the legacy "/gpu:0" and "/cpu:0" forms; parsed, merged (an inner tf.device wins field
// by field) and written in TF's canonical form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace varscope::detail {

struct DeviceSpec {
  std::optional<std::string> job;
  std::optional<std::int64_t> replica, task;
  std::optional<std::string> type;    // "GPU", "CPU" (upper-cased), or any "device:<type>"
  std::optional<std::int64_t> index;  // none: "*"

  // DeviceSpec.from_string; vs::ValueError with TF's text for a bad spec.
  static DeviceSpec parse(std::string_view spec);
  // make_merged_spec: `inner`'s fields where it has them, else this spec's.
  DeviceSpec merged_with(const DeviceSpec& inner) const;
  // to_string: "/job:w/replica:0/task:1/device:GPU:0" ("" for an empty spec).
  std::string to_string() const;
};

}  // namespace varscope::detail
