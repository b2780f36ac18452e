// The plan's shared B layouts: float32 products of few rows that read the same W, where the
// CPU GEMM runs slowly on W as it is, multiply on the CPU by a copy of W made once per run:
// - x · Wᵀ (an RNN step's input gradient, [32, 1024] · [512, 1024]ᵀ) runs at about half the
//   speed of x · W, because oneDNN packs the transposed panel of W again for every call and
//   each packed element serves only a few rows: the copy is Wᵀ, multiplied untransposed;
// - x · W whose W has rows a multiple of 1 KiB long (an RNN step's [32, 512] · [512, 1024])
//   runs at about half speed too (cpu/gemm_layout.h): the copy is W with padded rows.
// Either copy has its rows padded where gemm_layout.h asks. The copies pay only when several
// products share them and no variable is written between the first and the last; the first of
// them in a run writes the copy into a slot of its own (execute_matmul.cpp). A product cut to
// some columns (column_slices.cpp) shares only with products cut alike: the slot holds those
// rows of W, transposed. The GPU multiplies by W as it is (cuBLAS reads either layout at full
// speed), and the graph is unchanged.
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/runtime/cpu/gemm_layout.h"
#include "host/runtime/plan.h"

namespace varscope::detail {
namespace {

// Rows of x up to this: one row block of the CPU GEMM, whose packing of W the call repeats.
// From 64 rows the CPU GEMM pads W itself where that pays (cpu/gemm.cpp).
constexpr std::int64_t kMaxRows = 64;
// Products per W that pay for the copy (about two products' worth of copying).
constexpr int kMinProducts = 4;

const Shape& input_shape(const GraphImpl& graph, const Node& n, std::size_t i) {
  const TensorRef& in = n.inputs.at(i);
  return graph.node(in.node).outputs.at(static_cast<std::size_t>(in.index)).shape;
}

// Whether the step is a product of few rows whose W the CPU GEMM wants laid out anew.
bool wants_shared_layout(const GraphImpl& graph, const Step& step) {
  if (step.kind != OpKind::kMatMul || step.device_copy || step.check_shapes) return false;
  const Node& n = graph.node(step.node);
  if (n.op != OpType::kMatMul || n.outputs[0].dtype != DType::kFloat32) return false;
  if (attr<bool>(n, attr_name::kTransposeA)) return false;
  const Shape& x = input_shape(graph, n, 0);
  const Shape& w = input_shape(graph, n, 1);
  if (x.rank() != 2 || !x.is_fully_defined() || x.dim(0) > kMaxRows) return false;
  if (attr<bool>(n, attr_name::kTransposeB)) return true;
  return w.rank() == 2 && w.is_fully_defined() &&
         runtime::cpu::padded_b_row_stride(w.dim(1), sizeof(float)) != w.dim(1);
}

// Whether the step may change a variable's storage: an op with a ref input (Assign, the
// optimizers' updates) or a value produced straight into a variable.
bool writes_variable(const GraphImpl& graph, const Step& step) {
  return step.into_variable >= 0 || ref_inputs(graph.node(step.node).op) > 0;
}

}  // namespace

void plan_shared_b_layouts(const GraphImpl& graph, Plan& plan) {
  // (W's slot, device, transposed, W's rows read: column_slices.cpp) -> the products.
  std::map<std::tuple<int, int, bool, std::int64_t, std::int64_t>, std::vector<std::size_t>> users;
  std::vector<int> writes_before(plan.steps.size() + 1, 0);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    writes_before[i + 1] = writes_before[i] + (writes_variable(graph, step) ? 1 : 0);
    if (wants_shared_layout(graph, step)) {
      const bool transposed = attr<bool>(graph.node(step.node), attr_name::kTransposeB);
      users[{step.inputs.at(1), step.device, transposed, step.columns_begin, step.columns}]
          .push_back(i);
    }
  }
  for (const auto& [w, products] : users) {
    if (static_cast<int>(products.size()) < kMinProducts) continue;
    if (writes_before[products.back()] != writes_before[products.front()]) continue;
    const int slot = plan.num_slots++;
    for (std::size_t i : products)
      plan.steps[i].shared_b = slot;
  }
}

}  // namespace varscope::detail
