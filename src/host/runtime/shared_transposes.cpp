// The plan's shared transposes: a float32 product x · Wᵀ of few rows (an RNN step's input
// gradient, [32, 1024] · [512, 1024]ᵀ) runs at about half the speed of x · W on the CPU,
// because oneDNN packs the transposed panel of W again for every call and each packed element
// serves only a few rows. Where several such products in a plan read the same W and no
// variable is written between the first and the last, the first writes Wᵀ into a slot of its
// own and all of them multiply by it untransposed (execute_math.cpp; the CPU backend only:
// cuBLAS reads either layout at full speed). A product cut to some columns (column_slices.cpp)
// shares only with products cut alike: the slot holds the transpose of those rows of W. The
// graph is unchanged.
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/runtime/plan.h"

namespace varscope::detail {
namespace {

// Rows of x up to this: one row block of the CPU GEMM, whose packing of W the call repeats.
constexpr std::int64_t kMaxRows = 64;
// Products per W that pay for the transpose (about two products' worth of copying).
constexpr int kMinProducts = 4;

bool transposable(const GraphImpl& graph, const Step& step) {
  if (step.kind != OpKind::kMatMul || step.device_copy || step.check_shapes) return false;
  const Node& n = graph.node(step.node);
  if (n.op != OpType::kMatMul || n.outputs[0].dtype != DType::kFloat32) return false;
  if (attr<bool>(n, attr_name::kTransposeA) || !attr<bool>(n, attr_name::kTransposeB)) {
    return false;
  }
  const Shape& x =
      graph.node(n.inputs[0].node).outputs.at(static_cast<std::size_t>(n.inputs[0].index)).shape;
  return x.rank() == 2 && x.is_fully_defined() && x.dim(0) <= kMaxRows;
}

// Whether the step may change a variable's storage: an op with a ref input (Assign, the
// optimizers' updates) or a value produced straight into a variable.
bool writes_variable(const GraphImpl& graph, const Step& step) {
  return step.into_variable >= 0 || ref_inputs(graph.node(step.node).op) > 0;
}

}  // namespace

void plan_shared_transposes(const GraphImpl& graph, Plan& plan) {
  // (W's slot, device, W's rows read: column_slices.cpp) -> the products that read it.
  std::map<std::tuple<int, int, std::int64_t, std::int64_t>, std::vector<std::size_t>> users;
  std::vector<int> writes_before(plan.steps.size() + 1, 0);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& step = plan.steps[i];
    writes_before[i + 1] = writes_before[i] + (writes_variable(graph, step) ? 1 : 0);
    if (transposable(graph, step)) {
      users[{step.inputs.at(1), step.device, step.columns_begin, step.columns}].push_back(i);
    }
  }
  for (const auto& [w, products] : users) {
    if (static_cast<int>(products.size()) < kMinProducts) continue;
    if (writes_before[products.back()] != writes_before[products.front()]) continue;
    const int slot = plan.num_slots++;
    for (std::size_t i : products)
      plan.steps[i].transposed_b = slot;
  }
}

}  // namespace varscope::detail
