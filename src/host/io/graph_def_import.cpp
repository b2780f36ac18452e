// tf.import_graph_def: a GraphDef's nodes into a graph, in dependency order, each through
// add_op (its row's shape function validates it). Everything is checked before a node is
// built where TF checks it first (names, ops, inputs, cycles); a later failure rolls the
// graph back (GraphImpl::mutate), names included.
#include "host/io/graph_def_import.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "host/graph/builders.h"
#include "host/graph/device_functions.h"
#include "host/graph/op_defs.h"
#include "host/graph/scope_guards.h"
#include "host/io/file.h"
#include "host/io/graph_def_lowering.h"
#include "host/io/node_def_attrs.h"
#include "host/io/tf/bundle.h"
#include "varscope/errors.h"
#include "varscope_tf/meta_graph.pb.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;
using detail::GraphImpl;
using detail::OpType;
using detail::TensorRef;

// TF's op type name -> varscope's op type, for every row.
const std::unordered_map<std::string_view, OpType>& op_types() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string_view, OpType>();
    for (int i = 0; i < detail::kNumOpTypes; ++i) {
      const auto op = static_cast<OpType>(i);
      t->emplace(detail::op_def(op).name, op);
    }
    return t;
  }();
  return *table;
}

std::string supported_ops() {
  std::vector<std::string_view> names;
  for (const auto& [name, op] : op_types())
    names.push_back(name);
  std::sort(names.begin(), names.end());
  std::string out;
  for (std::string_view n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// TF's node-name rule in a GraphDef (graph_constructor.cc's IsValidNodeName), without the
// '>' TF also allows there: varscope's graphs hold Python's op names only.
bool is_valid_node_name(std::string_view s) {
  if (s.empty()) return false;
  const auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front()) && s.front() != '.') return false;
  for (char c : s.substr(1)) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-' && c != '/') return false;
  }
  return true;
}

// TF's ParseTensorName: "x:1" -> {x, 1}; "x" (or a suffix that is not all digits) -> index 0.
struct TensorId {
  std::string_view node;
  int index = 0;
};
TensorId parse_tensor_name(std::string_view s) {
  const std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == s.size()) return {s, 0};
  std::int64_t index = 0;
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return {s, 0};
    index = std::min<std::int64_t>(index * 10 + (c - '0'), 1 << 30);
  }
  return {s.substr(0, colon), static_cast<int>(index)};
}

std::string key_of(TensorId id) {
  return std::string(id.node) + ":" + std::to_string(id.index);
}

struct Edge {
  int source = -1;  // GraphDef node index; -1: mapped through input_map
  int index = 0;
  bool control = false;
  const Tensor* mapped = nullptr;
};

// Sets the graph's device for one node: the tf.device scope merged with the NodeDef's own
// (the node's fields win, as an inner tf.device does).
class NodeDevice {
 public:
  NodeDevice(GraphImpl& g, const std::string& device) : g_(g), saved_(g.device) {
    if (!device.empty()) {
      g_.device = detail::merge_device(saved_, device);
    }
  }
  ~NodeDevice() { g_.device = std::move(saved_); }
  NodeDevice(const NodeDevice&) = delete;
  NodeDevice& operator=(const NodeDevice&) = delete;

 private:
  GraphImpl& g_;
  std::string saved_;
};

std::vector<ImportedElement> return_elements(
    GraphImpl& g,
    const std::vector<std::string>& requested,
    const std::unordered_map<std::string_view, int>& by_name,
    const std::vector<int>& node_of) {
  std::vector<ImportedElement> out;
  out.reserve(requested.size());
  for (const std::string& r : requested) {
    if (r.find(':') == std::string::npos) {
      const auto it = by_name.find(r);
      if (it == by_name.end() || node_of[static_cast<std::size_t>(it->second)] < 0)
        throw ValueError("Requested return node '" + r + "' not found in graph def");
      out.emplace_back(detail::Access::operation(g.shared_from_this(),
                                                 node_of[static_cast<std::size_t>(it->second)]));
      continue;
    }
    const TensorId id = parse_tensor_name(r);
    const auto it = by_name.find(id.node);
    if (it == by_name.end() || node_of[static_cast<std::size_t>(it->second)] < 0)
      throw ValueError("Requested return tensor '" + r + "' not found in graph def");
    const int node = node_of[static_cast<std::size_t>(it->second)];
    const std::size_t outputs = g.node(node).outputs.size();
    if (static_cast<std::size_t>(id.index) >= outputs) {
      throw ValueError("Invalid return output " + std::to_string(id.index) + " of node '" +
                       std::string(id.node) + "', which has " + std::to_string(outputs) +
                       " output(s)");
    }
    out.emplace_back(g.tensor({node, id.index}));
  }
  return out;
}

// The node's data inputs' dtypes against its type attributes (TF's "incompatible with
// expected" check), input by input as TF's op signatures state them.
void check_input_types(const GraphImpl& g,
                       OpType op,
                       const tfp::NodeDef& node,
                       const std::vector<TensorRef>& inputs,
                       const std::string& name) {
  std::vector<std::pair<const std::string*, const tfp::AttrValue*>> types;
  for (const auto& [key, value] : node.attr()) {
    if (value.value_case() == tfp::AttrValue::kType) types.emplace_back(&key, &value);
  }
  std::sort(types.begin(), types.end(),
            [](const auto& x, const auto& y) { return *x.first < *y.first; });
  for (const auto& [key, value] : types) {
    const int input = typed_input(op, *key, static_cast<int>(inputs.size()));
    if (input < 0) continue;
    const TensorRef r = inputs[static_cast<std::size_t>(input)];
    const DType got = detail::spec(g, r).dtype;
    const std::optional<DType> want = tf::from_tf_dtype(value->type());
    if (want && *want == got) continue;
    const std::string want_name =
        want ? std::string(dtype_name(*want)) : tf::tf_dtype_name(value->type());
    throw ValueError("Input " + std::to_string(input) + " of node " + name + " was passed " +
                     std::string(dtype_name(got)) + " from " + g.node(r.node).name + ":" +
                     std::to_string(r.index) + " incompatible with expected " + want_name + ".");
  }
}

// The row's count of inputs: its listed names, a list input counting N.
std::size_t expected_inputs(const detail::OpDef& def, const detail::Attrs& attrs) {
  std::size_t names = def.inputs.empty() ? 0 : 1;
  for (char c : def.inputs)
    names += c == ',' ? 1 : 0;
  for (const auto& [key, value] : attrs) {
    if (key == detail::attr_name::kN) {
      const std::int64_t n = std::get<std::int64_t>(value);
      if (n < 0 || n > (std::int64_t{1} << 30)) return static_cast<std::size_t>(-1);
      return names - 1 + static_cast<std::size_t>(n);
    }
  }
  return names;
}

}  // namespace

std::string read_whole_file(const std::string& path) {
  InputFile file(path);
  if (file.size() > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw InvalidArgumentError("'" + path + "' is over 2GB, protobuf's limit for a message");
  std::string bytes(static_cast<std::size_t>(file.size()), '\0');
  if (!file.read(std::as_writable_bytes(std::span(bytes.data(), bytes.size()))))
    throw DataLossError("'" + path + "' ended while it was read");
  return bytes;
}

template <typename Message>
Message parse_proto(std::string_view bytes, std::string_view what) {
  Message m;
  if (bytes.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()) &&
      m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return m;
  m.Clear();
  google::protobuf::TextFormat::Parser parser;
  struct Silent : google::protobuf::io::ErrorCollector {
    void AddError(int, int, const std::string&) override {}
  } silent;
  parser.RecordErrorsTo(&silent);
  if (parser.ParseFromString(std::string(bytes), &m)) return m;
  throw InvalidArgumentError("Cannot parse the " + std::string(what) +
                             ": it is neither a binary nor a text protocol buffer");
}
template tfp::GraphDef parse_proto<tfp::GraphDef>(std::string_view, std::string_view);
template tfp::MetaGraphDef parse_proto<tfp::MetaGraphDef>(std::string_view, std::string_view);

ImportedGraph import_graph_def_proto(GraphImpl& g,
                                     const tfp::GraphDef& def,
                                     const ImportGraphDefOptions& options,
                                     std::string_view skip_scope) {
  const int n = def.node_size();
  const auto skipped = [&](const tfp::NodeDef& node) {
    return !skip_scope.empty() && node.name().starts_with(skip_scope);
  };
  // Names and op types first, as TF's importer checks them.
  std::unordered_map<std::string_view, int> by_name;
  by_name.reserve(static_cast<std::size_t>(n));
  std::vector<OpType> ops(static_cast<std::size_t>(n), OpType::kNoOp);
  for (int i = 0; i < n; ++i) {
    const tfp::NodeDef& node = def.node(i);
    if (!is_valid_node_name(node.name()))
      throw ValueError("Node '" + node.name() + "': Node name contains invalid characters");
    if (!by_name.emplace(node.name(), i).second)
      throw ValueError("Node '" + node.name() + "' is not unique");
  }
  for (int i = 0; i < n; ++i) {
    const tfp::NodeDef& node = def.node(i);
    if (skipped(node)) continue;
    const auto it = op_types().find(node.op());
    if (it == op_types().end()) {
      throw NotFoundError("Op type not registered '" + node.op() +
                          "' in binary running varscope. varscope imports these op types: " +
                          supported_ops() + ".");
    }
    ops[static_cast<std::size_t>(i)] = it->second;
  }
  // input_map's keys name GraphDef tensors ("x" is "x:0").
  std::map<std::string, const Tensor*> mapped;  // ordered: the first bad key reported is stable
  for (const auto& [key, tensor] : options.input_map) {
    if (key.starts_with("^")) continue;  // control inputs are never remapped here
    mapped.emplace(key_of(parse_tensor_name(key)), &tensor);
  }
  std::unordered_set<std::string> used_keys;
  // Edges, and the consumers of each node for the topological order (Kahn's algorithm: no
  // recursion, linear in nodes and edges).
  std::vector<std::vector<Edge>> edges(static_cast<std::size_t>(n));
  std::vector<int> pending(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<int>> consumers(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const tfp::NodeDef& node = def.node(i);
    if (skipped(node)) continue;
    bool seen_control = false;
    for (const std::string& input : node.input()) {
      Edge e;
      std::string_view source = input;
      if (input.starts_with("^")) {
        e.control = true;
        seen_control = true;
        source.remove_prefix(1);
      } else {
        if (seen_control) {
          throw ValueError("Node '" + node.name() +
                           "': Control dependencies must come after regular dependencies");
        }
        const TensorId id = parse_tensor_name(input);
        source = id.node;
        e.index = id.index;
        if (!mapped.empty()) {
          const std::string key = key_of(id);
          if (auto m = mapped.find(key); m != mapped.end()) {
            e.mapped = m->second;
            used_keys.insert(key);
          }
        }
      }
      if (e.mapped == nullptr) {
        const auto it = by_name.find(source);
        if (it == by_name.end() || skipped(def.node(it->second)))
          throw ValueError("Node '" + node.name() + "': Unknown input node '" + input + "'");
        e.source = it->second;
        ++pending[static_cast<std::size_t>(i)];
        consumers[static_cast<std::size_t>(e.source)].push_back(i);
      }
      edges[static_cast<std::size_t>(i)].push_back(e);
    }
  }
  for (const auto& [key, tensor] : mapped) {
    if (!by_name.contains(parse_tensor_name(key).node)) {
      throw ValueError("Attempted to map inputs that were not found in graph_def: [" + key + "]");
    }
  }

  ImportedGraph result;
  // with ops.name_scope(name, "import"): "" is the root, no prefix.
  const std::string scope =
      g.resolve_name_scope(options.name ? std::string_view(*options.name) : "import");
  result.prefix = detail::scope_string(scope);
  detail::StackGuard at_root(g, "");
  result.node_of.assign(static_cast<std::size_t>(n), -1);

  // Ready nodes by GraphDef index, lowest first: a sorted GraphDef keeps its order.
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  int kept = 0;
  for (int i = 0; i < n; ++i) {
    if (skipped(def.node(i))) continue;
    ++kept;
    if (pending[static_cast<std::size_t>(i)] == 0) ready.push(i);
  }
  int built = 0;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    const tfp::NodeDef& node = def.node(i);
    const OpType op = ops[static_cast<std::size_t>(i)];
    const detail::OpDef& row = detail::op_def(op);
    const std::string name = g.unique_name(result.prefix + node.name());
    std::vector<TensorRef> inputs;
    std::vector<int> controls;
    for (const Edge& e : edges[static_cast<std::size_t>(i)]) {
      if (e.mapped != nullptr) {
        inputs.push_back(g.ref_of(*e.mapped));
        continue;
      }
      const int source = result.node_of[static_cast<std::size_t>(e.source)];
      if (e.control) {
        controls.push_back(source);
        continue;
      }
      const std::size_t outputs = g.node(source).outputs.size();
      if (e.index < 0 || static_cast<std::size_t>(e.index) >= outputs) {
        throw ValueError("Node '" + node.name() + "': Connecting to invalid output " +
                         std::to_string(e.index) + " of source node " + def.node(e.source).name() +
                         " which has " + std::to_string(outputs) + " outputs.");
      }
      inputs.push_back({source, e.index});
    }
    detail::Attrs attrs = attrs_from_node_def(row, node, name);
    const std::size_t expected = expected_inputs(row, attrs);
    if (expected != inputs.size()) {
      throw ValueError("NodeDef expected " + std::to_string(static_cast<std::int64_t>(expected)) +
                       " inputs do not match " + std::to_string(inputs.size()) +
                       " inputs specified; Op<name=" + std::string(row.name) +
                       ">; NodeDef: {{node " + name + "}}");
    }
    check_input_types(g, op, node, inputs, name);
    if (op == OpType::kConst) {
      const auto find = [&](std::string_view key) -> const detail::AttrValue& {
        return std::find_if(attrs.begin(), attrs.end(),
                            [&](const auto& a) { return a.first == key; })
            ->second;
      };
      const DType value = std::get<HostTensor>(find(detail::attr_name::kValue)).dtype();
      const DType declared = std::get<DType>(find(detail::attr_name::kDType));
      if (value != declared) {
        throw InvalidArgumentError("Node '" + name + "': Type mismatch between value (" +
                                   std::string(dtype_name(value)) + ") and dtype (" +
                                   std::string(dtype_name(declared)) + ")");
      }
    }
    for (const auto& [key, value] : attrs) {  // the type attribute's allowed dtypes
      if ((key == "T" || key == "dtype") && std::holds_alternative<DType>(value) &&
          !row.types.empty())
        detail::check_dtype(row, key, std::get<DType>(value));
    }
    int id = -1;
    {
      NodeDevice device(g, node.device());
      id = detail::add_op(g, op, name + "/", std::move(inputs), std::move(attrs),
                          std::move(controls));
    }
    if (op == OpType::kVariableV2) g.adopt_variable(id);
    result.node_of[static_cast<std::size_t>(i)] = id;
    ++built;
    for (int c : consumers[static_cast<std::size_t>(i)]) {
      if (--pending[static_cast<std::size_t>(c)] == 0) ready.push(c);
    }
  }
  if (built != kept) throw ValueError(std::to_string(kept - built) + " nodes in a cycle");
  for (const auto& [key, tensor] : mapped) {
    if (!used_keys.contains(key)) {
      const TensorId id = parse_tensor_name(key);
      const int node = result.node_of[static_cast<std::size_t>(by_name.at(id.node))];
      if (node < 0 || static_cast<std::size_t>(id.index) >= g.node(node).outputs.size())
        throw ValueError("Attempted to map inputs that were not found in graph_def: [" + key + "]");
    }
  }
  result.returned = return_elements(g, options.return_elements, by_name, result.node_of);
  return result;
}

}  // namespace varscope::io

namespace varscope {

std::vector<ImportedElement> import_graph_def(Graph& graph,
                                              std::string_view graph_def,
                                              const ImportGraphDefOptions& options) {
  const auto& g = detail::Access::impl(graph);
  tf::GraphDef def = io::parse_proto<tf::GraphDef>(graph_def, "GraphDef");
  io::raise_lowered_helpers(def);
  return g->mutate([&] { return io::import_graph_def_proto(*g, def, options).returned; });
}

std::vector<ImportedElement> import_graph_def_file(Graph& graph,
                                                   std::string_view path,
                                                   const ImportGraphDefOptions& options) {
  return import_graph_def(graph, io::read_whole_file(std::string(path)), options);
}

}  // namespace varscope
