// tf.io.write_graph: the graph's nodes as TF's GraphDef protobuf (proto/varscope_tf/graph.proto).
#include "varscope/graph_def.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <filesystem>
#include <span>
#include <string>
#include <system_error>

#include "host/graph/graph_impl.h"
#include "host/io/file.h"
#include "host/io/graph_def.h"
#include "host/io/graph_def_lowering.h"
#include "host/io/tf/bundle.h"
#include "varscope/errors.h"
#include "varscope_tf/graph.pb.h"

namespace varscope {
namespace {

namespace tfp = ::varscope::tf;
using detail::AttrValue;
using detail::Node;

// TF 1.15's GraphDef version (TF_GRAPH_DEF_VERSION): what tf.Graph().as_graph_def() writes.
constexpr int kProducer = 134;

void set_shape(const Shape& shape, tfp::TensorShapeProto* out) {
  if (!shape.has_rank()) {
    out->set_unknown_rank(true);
    return;
  }
  for (std::int64_t d : shape.dims())
    out->add_dim()->set_size(d < 0 ? -1 : d);
}

// A constant's value as TF writes a large one: the raw little-endian elements; strings, which
// have no raw form, one string_val each (as TF writes them).
void set_tensor(const HostTensor& value, tfp::TensorProto* out) {
  out->set_dtype(io::tf::tf_data_type(value.dtype()));
  set_shape(value.shape(), out->mutable_tensor_shape());
  if (value.dtype() == DType::kString) {
    for (const std::string& s : value.data<std::string>())
      out->add_string_val(s);
    return;
  }
  out->set_tensor_content(static_cast<const char*>(value.raw_data()), value.nbytes());
}

void set_attr(const AttrValue& value, tfp::AttrValue* out) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::int64_t>) {
          out->set_i(v);
        } else if constexpr (std::is_same_v<V, double>) {
          out->set_f(static_cast<float>(v));  // TF's float attrs are 32-bit
        } else if constexpr (std::is_same_v<V, bool>) {
          out->set_b(v);
        } else if constexpr (std::is_same_v<V, std::string>) {
          out->set_s(v);
        } else if constexpr (std::is_same_v<V, DType>) {
          out->set_type(io::tf::tf_data_type(v));
        } else if constexpr (std::is_same_v<V, Shape>) {
          set_shape(v, out->mutable_shape());
        } else if constexpr (std::is_same_v<V, HostTensor>) {
          set_tensor(v, out->mutable_tensor());
        } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
          out->mutable_list();  // an empty list(int) is still a list
          for (std::int64_t i : v)
            out->mutable_list()->add_i(i);
        } else {
          static_assert(std::is_same_v<V, std::vector<std::string>>);
          for (const std::string& s : v)
            out->mutable_list()->add_s(s);
        }
      },
      value);
}

// TF type attributes that varscope's nodes leave implicit because an input's dtype says them
// (TF's ops require them in a NodeDef): the attribute and the input whose dtype it is.
struct ImpliedTypeAttr {
  std::string_view op, attr;
  int input;
};
constexpr ImpliedTypeAttr kImpliedTypeAttrs[] = {
    {"RandomUniform", "T", 0},   {"RandomStandardNormal", "T", 0},
    {"TruncatedNormal", "T", 0}, {"RandomUniformInt", "T", 0},
    {"Fill", "index_type", 0},   {"Sum", "Tidx", 1},
    {"Mean", "Tidx", 1},         {"SparseSoftmaxCrossEntropyWithLogits", "Tlabels", 1},
    {"Max", "Tidx", 1},          {"Min", "Tidx", 1},
    {"Prod", "Tidx", 1},         {"ArgMax", "Tidx", 1},
    {"ArgMin", "Tidx", 1},       {"Cumsum", "Tidx", 1},
    {"Cumprod", "Tidx", 1},
};

std::string input_name(const detail::GraphImpl& g, detail::TensorRef r) {
  const std::string& name = g.node(r.node).name;
  return r.index == 0 ? name : name + ":" + std::to_string(r.index);
}

// varscope's gradient helpers as TF's ops (graph_def_lowering.h); false for any other node.
bool lower(const detail::GraphImpl& g, const Node& n, tfp::GraphDef& def) {
  const auto spec = [&](std::size_t i) {
    const detail::TensorRef r = n.inputs.at(i);
    return g.node(r.node).outputs.at(static_cast<std::size_t>(r.index));
  };
  if (n.op == detail::OpType::kSumToShape) {
    io::lower_sum_to_shape(n.name, input_name(g, n.inputs.at(0)), input_name(g, n.inputs.at(1)),
                           n.outputs.at(0).dtype, def);
    return true;
  }
  if (n.op == detail::OpType::kBroadcastToShape) {
    const AttrValue* mean = n.find_attr("mean");
    io::lower_broadcast_to_shape(n.name, input_name(g, n.inputs.at(0)),
                                 input_name(g, n.inputs.at(1)), input_name(g, n.inputs.at(2)),
                                 spec(2).dtype, n.outputs.at(0).dtype,
                                 mean != nullptr && std::get<bool>(*mean), def);
    return true;
  }
  return false;
}

// `varscope_ops`: write varscope's own ops under their names (TensorBoard draws any op)
// rather than as the TF ops they stand for (what TF imports).
tfp::GraphDef graph_def(const Graph& graph, bool varscope_ops) {
  const auto& g = detail::Access::impl(graph);
  auto reading = g->lock_for_reading();
  tfp::GraphDef def;
  def.mutable_versions()->set_producer(kProducer);
  for (std::size_t i = 0; i < g->num_nodes(); ++i) {
    const Node& n = g->node(static_cast<int>(i));
    if (!varscope_ops && lower(*g, n, def)) continue;
    tfp::NodeDef* node = def.add_node();
    node->set_name(n.name);
    node->set_op(n.type);
    node->set_device(n.device);
    for (const detail::TensorRef& in : n.inputs)
      node->add_input(input_name(*g, in));
    for (int c : n.control_inputs)
      node->add_input("^" + g->node(c).name);
    auto& attrs = *node->mutable_attr();
    for (const auto& [name, value] : n.attrs)
      set_attr(value, &attrs[name]);
    for (const ImpliedTypeAttr& implied : kImpliedTypeAttrs) {
      if (implied.op != n.type || attrs.contains(std::string(implied.attr))) continue;
      const detail::TensorRef in = n.inputs.at(static_cast<std::size_t>(implied.input));
      attrs[std::string(implied.attr)].set_type(io::tf::tf_data_type(
          g->node(in.node).outputs.at(static_cast<std::size_t>(in.index)).dtype));
    }
  }
  return def;
}

}  // namespace

// Deterministic, as TF's write_graph: the attribute maps in key order, so the same graph
// always gives the same bytes.
std::string serialize(const google::protobuf::MessageLite& def) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    if (!def.SerializeToCodedStream(&out))
      throw InternalError("write_graph: the GraphDef did not serialize");
  }
  return bytes;
}

std::string graph_def_bytes(const Graph& graph) {
  return serialize(graph_def(graph, false));
}

namespace io {
std::string graph_def_bytes_for_tensorboard(const Graph& graph) {
  return serialize(graph_def(graph, true));
}
::varscope::tf::GraphDef graph_def_proto(const Graph& graph) {
  return graph_def(graph, false);
}
std::string serialize_deterministic(const google::protobuf::MessageLite& message) {
  return serialize(message);
}
}  // namespace io

std::string write_graph(const Graph& graph,
                        std::string_view logdir,
                        std::string_view name,
                        const WriteGraphOptions& options) {
  std::string text;
  if (options.as_text) {
    if (!google::protobuf::TextFormat::PrintToString(graph_def(graph, false), &text))
      throw InternalError("write_graph: the GraphDef did not print");
  } else {
    text = graph_def_bytes(graph);
  }
  const std::filesystem::path dir(logdir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw InternalError("write_graph: cannot create directory '" + std::string(logdir) +
                        "': " + ec.message());
  }
  const std::string path = (dir / std::filesystem::path(name)).string();
  io::write_file_atomically(path, [&](const io::ByteSink& sink) {
    sink(std::as_bytes(std::span(text.data(), text.size())));
  });
  return path;
}

}  // namespace varscope
