// TensorBoard's summary ops on the host: ScalarSummary, HistogramSummary, MergeSummary (TF's
// core/kernels/summary_op.cc). Their inputs are read to the host (a device value is copied
// back, which waits for the stream, as TF's _Recv to these CPU-only kernels); their outputs are
// string scalars, which stay on the host (Value::host).
#include <cmath>
#include <string>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/runtime/session_impl.h"
#include "varscope/errors.h"
#include "varscope/summary.h"

namespace varscope::detail {
namespace {

[[noreturn]] void fail(const Node& n, const std::string& text) {
  throw InvalidArgumentError(text + "\n\t [[{{node " + n.name + "}}]]");
}

// ScalarSummaryOp: one simple_value per tag, the tags and values of one shape.
std::string scalar_summary(const Node& n, const HostTensor& tags, const HostTensor& values) {
  if (tags.shape() != values.shape()) {
    const std::string single_tag =
        tags.shape().rank() == 0 ? " (tag '" + tags.data<std::string>()[0] + "')" : "";
    fail(n, "tags and values not the same shape: " + tags.shape().to_list_string() +
                " != " + values.shape().to_list_string() + single_tag);
  }
  std::string out;  // a Summary's Values, each serialized alone, concatenate to the Summary
  const auto tag = tags.data<std::string>();
  for (std::int64_t i = 0; i < values.num_elements(); ++i)
    out += summary::scalar_proto(tag[static_cast<std::size_t>(i)], values.element_as_double(i));
  return out;
}

// HistogramSummaryOp: a scalar tag; NaN or infinity refused naming the node.
std::string histogram_summary(const Node& n, const HostTensor& tag, const HostTensor& values) {
  if (tag.shape().rank() != 0) fail(n, "tags must be scalar");
  std::vector<double> v(static_cast<std::size_t>(values.num_elements()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = values.element_as_double(static_cast<std::int64_t>(i));
    if (std::isnan(v[i])) fail(n, "Nan in summary histogram for: " + n.name);
    if (std::isinf(v[i])) fail(n, "Infinity in summary histogram for: " + n.name);
  }
  return summary::histogram_proto(tag.data<std::string>()[0], v);
}

}  // namespace

void SessionImpl::execute_summary(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const Node& n = graph->node(step.node);
  std::vector<HostTensor> in;
  for (std::size_t i = 0; i < step.inputs.size(); ++i)
    in.push_back(to_host(read(step, i, slots, ctx), ctx));
  std::string summary;
  switch (n.op) {
    case OpType::kScalarSummary:
      summary = scalar_summary(n, in.at(0), in.at(1));
      break;
    case OpType::kHistogramSummary:
      summary = histogram_summary(n, in.at(0), in.at(1));
      break;
    default: {  // MergeSummary: every element of every input, in order
      std::vector<std::string> parts;
      for (const HostTensor& t : in) {
        for (const std::string& s : t.data<std::string>())
          parts.push_back(s);
      }
      try {
        summary = summary::merge_protos(parts);
      } catch (const InvalidArgumentError& e) {
        fail(n, e.what());
      }
    }
  }
  slots[static_cast<std::size_t>(step.output)] =
      Value{nullptr, DType::kString, Shape(), -1,
            std::make_shared<HostTensor>(HostTensor(std::move(summary)))};
}

}  // namespace varscope::detail
