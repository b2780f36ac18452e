// TF's TensorProto -> HostTensor (Tensor::FromProto): a Const's value in a GraphDef.
#pragma once

#include <string>

#include "varscope/host_tensor.h"
#include "varscope_tf/tensor.pb.h"

namespace varscope::io {

// TF's largest constant: a GraphDef cannot hold a tensor over 2 GB.
inline constexpr std::int64_t kMaxConstBytes = (std::int64_t{1} << 31) - 1;

// The tensor that `proto` holds: tensor_content (its size must be dtype x shape), or the
// repeated field of its dtype with TF's fill rule (none: zeros; fewer than the shape's count:
// the last value repeats; more: an error). vs::InvalidArgumentError naming `node` for a dtype
// varscope lacks, an unknown or negative dimension, a size mismatch, or over kMaxConstBytes.
HostTensor tensor_from_proto(const ::varscope::tf::TensorProto& proto, const std::string& node);

// A TensorShapeProto as a Shape (-1 dims unknown); vs::InvalidArgumentError naming `node` for
// a dimension below -1.
Shape shape_from_proto(const ::varscope::tf::TensorShapeProto& proto, const std::string& node);

}  // namespace varscope::io
