// Plans a run: which nodes it needs (a post-order walk from the fetches and targets, not
// entering fed tensors' producers), the kernel of each, the fused random initializers and
// the values produced straight into a variable.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "host/graph/op_defs.h"
#include "host/graph/shape_fn.h"
#include "host/runtime/plan.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

// TF's DataTypeString: the C++ type names of its messages ("float", "double", "int32").
std::string tf_type_string(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float";
    case DType::kFloat64:
      return "double";
    case DType::kFloat16:
      return "half";
    default:
      return std::string(dtype_name(dtype));
  }
}

// A fed tensor in a ref input (assign to a variable whose value is fed): TF's executor
// refuses the graph before anything runs, naming its feed node, "_arg_<op>_<output>_<k>"
// with k the feed's position among the fed tensors' names, sorted.
void check_ref_inputs(const GraphImpl& graph,
                      const Node& n,
                      const Fed& fed,
                      const std::vector<TensorRef>& feeds) {
  const int refs = std::min(ref_inputs(n.op), static_cast<int>(n.inputs.size()));
  for (int i = 0; i < refs; ++i) {
    const TensorRef in = n.inputs[static_cast<std::size_t>(i)];
    if (!fed.contains({in.node, in.index})) continue;
    const auto name = [&graph](const TensorRef& t) {
      return graph.node(t.node).name + ":" + std::to_string(t.index);
    };
    std::vector<std::string> names;
    for (const TensorRef& ref : feeds)
      names.push_back(name(ref));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const auto k = std::lower_bound(names.begin(), names.end(), name(in)) - names.begin();
    const std::string type =
        tf_type_string(graph.node(in.node).outputs[static_cast<std::size_t>(in.index)].dtype);
    throw InvalidArgumentError("Input " + std::to_string(i) + " of node " + n.name +
                               " was passed " + type + " from _arg_" + graph.node(in.node).name +
                               "_" + std::to_string(in.index) + "_" + std::to_string(k) +
                               ":0 incompatible with expected " + type + "_ref.");
  }
}

// Random initializers are built as TF builds them: RandomStandardNormal -> Mul(stddev) ->
// Add(mean), RandomUniform -> Mul(Sub(max, min)) -> Add(min); the builder recorded what
// each chain computes (GraphImpl::affine_random). When the intermediate values have no
// other use, one pass computes the same bits: the planner folds them. It folds the AddNs of
// products too (product_sums.cpp).
struct Fusions {
  std::unordered_map<int, const AffineRandom*> random;  // Add node -> its chain
  ProductSums products;                                 // AddN node -> its MatMul terms
  std::unordered_set<int> folded;                       // nodes whose work a fused step does
  std::unordered_set<int> single_use;                   // exactly one consumer, not fetched
};

Fusions plan_fusions(const GraphImpl& g,
                     const std::vector<int>& order,
                     const std::vector<TensorRef>& fetches,
                     const std::vector<int>& targets,
                     const Fed& fed,
                     const std::unordered_map<int, int>& device_of) {
  Fusions out;
  std::unordered_map<int, int> uses;
  for (int node : order) {
    for (const TensorRef& in : g.node(node).inputs) {
      if (!fed.contains({in.node, in.index})) ++uses[in.node];
    }
    for (int c : g.node(node).control_inputs)
      uses[c] += 2;  // ordering matters: never fold
  }
  for (const TensorRef& f : fetches)
    uses[f.node] += 2;
  for (int t : targets)
    uses[t] += 2;
  for (const auto& [node, count] : uses) {
    if (count == 1) out.single_use.insert(node);
  }
  auto single = [&](int node) { return node < 0 || out.single_use.contains(node); };
  for (int node : order) {
    const AffineRandom* found = g.affine_random(node);
    if (found == nullptr) continue;
    const AffineRandom& chain = *found;
    if (!single(chain.random) || !single(chain.mul) || !single(chain.sub)) continue;
    // A fed scale or shift is not the value the builder recorded.
    if (std::any_of(chain.constants.begin(), chain.constants.end(), [&](int c) {
          return fed.contains({c, 0});
        })) {
      continue;
    }
    out.folded.insert({chain.random, chain.mul});
    if (chain.sub >= 0) out.folded.insert(chain.sub);
    out.random.emplace(node, &chain);
  }
  out.products = plan_product_sums(g, order, fetches, targets, fed, device_of);
  for (const auto& [sum, absorbed] : out.products.absorbed)
    out.folded.insert(absorbed.begin(), absorbed.end());
  return out;
}

// A dtype the op's kernel does not compute (float16/bfloat16 math, integer transcendental
// functions, ...): the plan is refused before any step runs, with the same error on both
// backends (not a half-done run, and not an error from inside a CUDA Graph capture).
void refuse_uncomputed_dtype(const Step& step, const Node& n) {
  if (n.outputs.empty()) return;
  const DType dtype = n.outputs[0].dtype;
  if (step.computes.contains(dtype)) return;
  throw UnimplementedError(std::string(op_def(n.op).name) + " on " +
                           std::string(dtype_name(dtype)));
}

// Strings live on the host (docs/differences.md "Strings"): a kernel that would take or give one
// in backend memory is refused before the run.
bool uses_strings(const GraphImpl& graph, const Node& n) {
  const auto is_string = [](const OutputSpec& o) { return o.dtype == DType::kString; };
  return std::any_of(n.outputs.begin(), n.outputs.end(), is_string) ||
         std::any_of(n.inputs.begin(), n.inputs.end(), [&](const TensorRef& in) {
           return is_string(graph.node(in.node).outputs.at(static_cast<std::size_t>(in.index)));
         });
}

void refuse_strings(const Step& step, const Node& n) {
  if (step.kind == OpKind::kConst || step.kind == OpKind::kIdentity ||
      step.kind == OpKind::kSummary || step.kind == OpKind::kNoOp) {
    return;
  }
  throw UnimplementedError(std::string(op_def(n.op).name) +
                           " on string: varscope keeps strings on the host, where only Const, "
                           "Placeholder, Identity and the summary ops take them");
}

}  // namespace

Plan build_plan(const GraphImpl& graph, const RunSignature& run, const DevicePlacer& placer) {
  const std::vector<TensorRef>& fetches = run.fetches;
  const std::vector<int>& targets = run.targets;
  Plan plan;
  Fed fed;
  for (const TensorRef& ref : run.fed) {
    const int slot = plan.num_slots++;
    fed[{ref.node, ref.index}] = slot;
    plan.feed_slots.push_back(slot);
  }
  // Post-order DFS from what is fetched or targeted, not entering fed tensors' producers.
  std::unordered_map<int, int> output_slot;  // node -> slot of output 0
  std::vector<int> order;
  std::unordered_map<int, int> state;  // 1 = on the stack, 2 = done
  std::vector<std::pair<int, bool>> stack;
  auto push_root = [&](int node) { stack.push_back({node, false}); };
  for (const auto& f : fetches) {
    if (!fed.contains({f.node, f.index})) push_root(f.node);
  }
  for (int t : targets)
    push_root(t);
  while (!stack.empty()) {
    auto [node, expanded] = stack.back();
    stack.pop_back();
    if (expanded) {
      state[node] = 2;
      order.push_back(node);
      continue;
    }
    if (state[node] != 0) continue;
    state[node] = 1;
    stack.push_back({node, true});
    const Node& n = graph.node(node);
    for (int c : n.control_inputs) {
      // As TF's subgraph rewriting does: a fed placeholder's outgoing control edges leave
      // from the feed, which is ready before the run starts (feeding gradients to
      // apply_gradients, tf.group of a fed placeholder).
      if (graph.node(c).op == OpType::kPlaceholder && fed.contains({c, 0})) continue;
      if (state[c] == 0) stack.push_back({c, false});
    }
    for (const TensorRef& in : n.inputs) {
      if (!fed.contains({in.node, in.index}) && state[in.node] == 0)
        stack.push_back({in.node, false});
    }
  }
  for (int node : order)  // before anything is planned: a fused initializer's Assign too
    check_ref_inputs(graph, graph.node(node), fed, run.fed);
  // Each node's device, and each slot's: a fed tensor is on its producer's device.
  std::unordered_map<int, int> device_of;
  for (int node : order)
    device_of[node] = placer.place(graph, node);
  std::vector<int> slot_device(static_cast<std::size_t>(plan.num_slots), 0);
  for (const auto& [tensor, slot] : fed)
    slot_device[static_cast<std::size_t>(slot)] = placer.place(graph, tensor.first);
  // A value crossing devices is copied once per destination device.
  std::map<std::pair<int, int>, int> copies;  // (slot, device) -> the copy's slot
  const auto on_device = [&](int slot, int device, int node) {
    if (slot_device[static_cast<std::size_t>(slot)] == device) return slot;
    auto [it, added] = copies.try_emplace({slot, device}, plan.num_slots);
    if (!added) return it->second;
    Step copy;
    static_cast<OpKernel&>(copy) = op_def(OpType::kIdentity).kernel;
    copy.node = node;  // an uninitialized variable read through the copy names this op
    copy.inputs = {slot};
    copy.output = plan.num_slots++;
    copy.device = device;
    copy.device_copy = true;
    slot_device.push_back(device);
    plan.steps.push_back(std::move(copy));
    return it->second;
  };
  const Fusions fusions = plan_fusions(graph, order, fetches, targets, fed, device_of);
  bool has_strings = false;  // a string value: host work mid-run, never recorded
  for (int node : order) {
    if (fusions.folded.contains(node)) continue;
    const Node& n = graph.node(node);
    Step step;
    static_cast<OpKernel&>(step) = op_def(n.op).kernel;
    step.node = node;
    if (auto f = fusions.random.find(node); f != fusions.random.end()) {
      const AffineRandom& chain = *f->second;
      step.kind = OpKind::kFusedRandom;
      step.random_node = chain.random;
      step.random_kind = op_def(graph.node(chain.random).op).kernel.kind;
      step.affine = kernels::Affine{true, chain.scale, chain.shift};
      step.output = plan.num_slots++;
      step.device = device_of.at(node);
      slot_device.push_back(step.device);
      output_slot[node] = step.output;
      plan.steps.push_back(std::move(step));
      continue;
    }
    if (step.kind == OpKind::kPlaceholder) {
      throw InvalidArgumentError("You must feed a value for placeholder tensor '" + n.name +
                                 "' with dtype " + std::string(dtype_name(n.outputs[0].dtype)) +
                                 " and shape " + n.outputs[0].shape.to_list_string());
    }
    step.device = device_of.at(node);
    const int refs = ref_inputs(n.op);  // a variable's storage: never copied
    // A folded AddN reads its products' inputs: x_0, dy_0, x_1, dy_1, ...
    std::vector<TensorRef> inputs = n.inputs;
    if (auto p = fusions.products.terms.find(node); p != fusions.products.terms.end()) {
      step.sum_of_products = true;
      inputs.clear();
      for (int product : p->second) {
        for (const TensorRef& in : graph.node(product).inputs)
          inputs.push_back(in);
      }
    }
    for (const TensorRef& in : inputs) {
      auto f = fed.find({in.node, in.index});
      const int slot = f != fed.end() ? f->second : output_slot.at(in.node) + in.index;
      const bool ref = static_cast<int>(step.inputs.size()) < refs;
      step.inputs.push_back(ref ? slot : on_device(slot, step.device, node));
    }
    step.output = plan.num_slots;
    plan.num_slots += static_cast<int>(n.outputs.size());
    slot_device.resize(static_cast<std::size_t>(plan.num_slots), step.device);
    output_slot[node] = step.output;
    if (step.kind == OpKind::kFill || step.kind == OpKind::kRandomUniformInt ||
        step.kind == OpKind::kAlias || step.kind == OpKind::kCopy ||
        step.kind == OpKind::kArgReduce || step.kind == OpKind::kScan) {
      for (std::size_t i = 1; i < n.inputs.size() && i < 3; ++i) {
        const TensorRef in = n.inputs[i];
        if (!fed.contains({in.node, in.index}) && graph.node(in.node).op == OpType::kConst) {
          step.host_consts[i] = in.node;
        }
      }
    }
    const bool strings = uses_strings(graph, n);
    if (strings) refuse_strings(step, n);
    has_strings = has_strings || strings;
    refuse_uncomputed_dtype(step, n);
    if (step.kind == OpKind::kReduce) {
      const TensorRef axes = n.inputs.at(1);
      if (!fed.contains({axes.node, axes.index}) && graph.node(axes.node).op == OpType::kConst) {
        step.host_axes = axes.node;
      }
    }
    // The run calls the node's shape function where an input's shape was not known when
    // the node was built; Sum and Mean also where the axes are not a Const. Their run refuses
    // repeated axes, which graph building accepts (as TF): checked here once for Const axes.
    for (const TensorRef& in : n.inputs) {
      if (!graph.node(in.node)
               .outputs.at(static_cast<std::size_t>(in.index))
               .shape.is_fully_defined()) {
        step.check_shapes = true;
      }
    }
    // A convolution or pool gradient whose sizes input the graph could not read: the run
    // reads it (execute_conv.cpp).
    if ((step.kind == OpKind::kConv || step.kind == OpKind::kPool) &&
        !n.outputs.at(0).shape.is_fully_defined()) {
      step.check_shapes = true;
    }
    if (step.kind == OpKind::kReduce && !step.check_shapes) {
      if (step.host_axes < 0) {
        step.check_shapes = true;
      } else {
        const OutputSpec& x =
            graph.node(n.inputs[0].node).outputs.at(static_cast<std::size_t>(n.inputs[0].index));
        const Node& axes = graph.node(step.host_axes);
        const ShapeInput in[] = {{x.dtype, &x.shape, nullptr},
                                 {axes.outputs[0].dtype, &axes.outputs[0].shape,
                                  &attr<HostTensor>(axes, attr_name::kValue)}};
        run_time_outputs(n, in);
      }
    }
    plan.steps.push_back(std::move(step));
  }
  for (const auto& f : fetches) {
    auto it = fed.find({f.node, f.index});
    plan.fetch_slots.push_back(it != fed.end() ? it->second : output_slot.at(f.node) + f.index);
  }
  // A value whose only use is an Assign is produced straight into the variable.
  std::unordered_map<int, Step*> step_of;
  for (Step& step : plan.steps) {
    if (!step.device_copy) step_of[step.node] = &step;
  }
  for (Step& step : plan.steps) {
    if (step.kind != OpKind::kAssign || step.device_copy) continue;
    const Node& assign = graph.node(step.node);
    const TensorRef value = assign.inputs[1];
    auto producer = step_of.find(value.node);
    if (producer == step_of.end() || !fusions.single_use.contains(value.node) ||
        producer->second->device != step.device) {
      continue;
    }
    const OpKind k = producer->second->kind;
    const bool writes_fresh = k == OpKind::kFusedRandom || k == OpKind::kFill ||
                              k == OpKind::kRandomUniform || k == OpKind::kRandomNormal ||
                              k == OpKind::kTruncatedNormal || k == OpKind::kRandomUniformInt;
    const int variable = graph.node(assign.inputs[0].node).variable;
    if (!writes_fresh || variable < 0) continue;
    producer->second->into_variable = variable;
    step.assign_in_place = true;
  }
  plan_dead_steps(graph, run.targets, plan);
  plan_column_slices(graph, plan);
  plan_shared_b_layouts(graph, plan);
  plan_collectives(graph, plan);
  plan_device_schedule(graph, plan);
  plan_slot_releases(graph, plan);
  plan.capturable =
      !has_strings && std::all_of(plan.steps.begin(), plan.steps.end(), [&](const Step& step) {
        return capturable(step, op_def(graph.node(step.node).op).capture);
      });
  return plan;
}

}  // namespace varscope::detail
