// The TF subgraphs of varscope's gradient helpers (graph_def_lowering.h). Every shape is
// computed at run time, as TF's gradients do, so unknown dimensions (a fed batch) work.
#include "host/io/graph_def_lowering.h"

#include <initializer_list>
#include <string_view>
#include <utility>

#include "host/io/tf/bundle.h"

namespace varscope::io {
namespace {

namespace tfp = ::varscope::tf;

// Adds node `name` = op(inputs) with type attributes `types` and `extra` other attributes;
// returns its name, for the next node's input.
class Builder {
 public:
  Builder(tfp::GraphDef& def, std::string scope) : def_(def), scope_(std::move(scope)) {}

  std::string add(const std::string& name,
                  std::string_view op,
                  std::initializer_list<std::string> inputs,
                  std::initializer_list<std::pair<const char*, DType>> types,
                  std::initializer_list<std::pair<const char*, bool>> flags = {}) {
    tfp::NodeDef* node = def_.add_node();
    node->set_name(name);
    node->set_op(std::string(op));
    for (const std::string& in : inputs)
      node->add_input(in);
    auto& attrs = *node->mutable_attr();
    for (const auto& [key, dtype] : types)
      attrs[key].set_type(tf::tf_data_type(dtype));
    for (const auto& [key, value] : flags)
      attrs[key].set_b(value);
    return name;
  }
  // A node in the helper's scope: "<helper>/<suffix>".
  std::string add_in_scope(const std::string& suffix,
                           std::string_view op,
                           std::initializer_list<std::string> inputs,
                           std::initializer_list<std::pair<const char*, DType>> types,
                           std::initializer_list<std::pair<const char*, bool>> flags = {}) {
    return add(scope_ + "/" + suffix, op, inputs, types, flags);
  }
  // An int32 Const of `values` (a vector, or a scalar when `scalar`).
  std::string int_const(const std::string& suffix,
                        std::initializer_list<std::int32_t> values,
                        bool scalar) {
    const std::string name = add_in_scope(suffix, "Const", {}, {{"dtype", DType::kInt32}});
    tfp::TensorProto* t =
        (*def_.mutable_node(def_.node_size() - 1)->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(tfp::DT_INT32);
    if (!scalar) t->mutable_tensor_shape()->add_dim()->set_size(std::ssize(values));
    for (std::int32_t v : values)
      t->add_int_val(v);
    return name;
  }

 private:
  tfp::GraphDef& def_;
  std::string scope_;
};

constexpr DType kI32 = DType::kInt32;

}  // namespace

void lower_sum_to_shape(const std::string& name,
                        const std::string& dy,
                        const std::string& like,
                        DType dtype,
                        tfp::GraphDef& def) {
  Builder b(def, name);
  const std::string s0 = b.add_in_scope("Shape", "Shape", {dy}, {{"T", dtype}, {"out_type", kI32}});
  const std::string s1 =
      b.add_in_scope("Shape_1", "Shape", {like}, {{"T", dtype}, {"out_type", kI32}});
  const std::string args =
      b.add_in_scope("BroadcastGradientArgs", "BroadcastGradientArgs", {s0, s1}, {{"T", kI32}});
  const std::string sum = b.add_in_scope("Sum", "Sum", {dy, args + ":1"},
                                         {{"T", dtype}, {"Tidx", kI32}}, {{"keep_dims", false}});
  b.add(name, "Reshape", {sum, s1}, {{"T", dtype}, {"Tshape", kI32}});
}

void lower_broadcast_to_shape(const std::string& name,
                              const std::string& dy,
                              const std::string& like,
                              const std::string& axes,
                              DType axes_dtype,
                              DType dtype,
                              bool mean,
                              tfp::GraphDef& def) {
  Builder b(def, name);
  std::string axes32 = axes;
  if (axes_dtype != kI32) {
    axes32 = b.add_in_scope("Cast_axes", "Cast", {axes}, {{"SrcT", axes_dtype}, {"DstT", kI32}},
                            {{"Truncate", false}});
  }
  // math_ops.reduced_shape: like's shape with 1 at the reduced axes.
  const std::string shape =
      b.add_in_scope("Shape", "Shape", {like}, {{"T", dtype}, {"out_type", kI32}});
  const std::string rank =
      b.add_in_scope("Size", "Size", {shape}, {{"T", kI32}, {"out_type", kI32}});
  const std::string shifted = b.add_in_scope("add", "Add", {axes32, rank}, {{"T", kI32}});
  const std::string axes_mod = b.add_in_scope("mod", "FloorMod", {shifted, rank}, {{"T", kI32}});
  const std::string axes_shape =
      b.add_in_scope("Shape_1", "Shape", {axes_mod}, {{"T", kI32}, {"out_type", kI32}});
  const std::string start = b.int_const("range/start", {0}, true);
  const std::string delta = b.int_const("range/delta", {1}, true);
  const std::string range =
      b.add_in_scope("range", "Range", {start, rank, delta}, {{"Tidx", kI32}});
  const std::string one = b.int_const("Fill/value", {1}, true);
  const std::string ones =
      b.add_in_scope("Fill", "Fill", {axes_shape, one}, {{"T", kI32}, {"index_type", kI32}});
  const std::string kept = b.add_in_scope("DynamicStitch", "DynamicStitch",
                                          {range, axes_mod, shape, ones}, {{"T", kI32}});
  (*def.mutable_node(def.node_size() - 1)->mutable_attr())["N"].set_i(2);
  // _safe_shape_div: the tile multiples, never a division by zero.
  const std::string one_again = b.int_const("Maximum/y", {1}, true);
  const std::string kept_at_least_one =
      b.add_in_scope("Maximum", "Maximum", {kept, one_again}, {{"T", kI32}});
  const std::string multiples =
      b.add_in_scope("floordiv", "FloorDiv", {shape, kept_at_least_one}, {{"T", kI32}});
  const std::string reshaped =
      b.add_in_scope("Reshape", "Reshape", {dy, kept}, {{"T", dtype}, {"Tshape", kI32}});
  if (!mean) {
    b.add(name, "Tile", {reshaped, multiples}, {{"T", dtype}, {"Tmultiples", kI32}});
    return;
  }
  const std::string tiled =
      b.add_in_scope("Tile", "Tile", {reshaped, multiples}, {{"T", dtype}, {"Tmultiples", kI32}});
  const std::string all = b.int_const("Const", {0}, false);
  const std::string count = b.add_in_scope("Prod", "Prod", {multiples, all},
                                           {{"T", kI32}, {"Tidx", kI32}}, {{"keep_dims", false}});
  const std::string factor = b.add_in_scope(
      "Cast", "Cast", {count}, {{"SrcT", kI32}, {"DstT", dtype}}, {{"Truncate", false}});
  b.add(name, "RealDiv", {tiled, factor}, {{"T", dtype}});
}

}  // namespace varscope::io
