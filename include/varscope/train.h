// tf.train's optimizers (GradientDescent, Momentum, Adam) and the global step, with TF1's
// names: slots "<var>/Momentum", "<var>/Adam", "<var>/Adam_1", Adam's non-slot
// "beta1_power"/"beta2_power", update ops "<Opt>/update_<var>/Apply<Opt>", and the train op
// named after the optimizer ("Adam"). A checkpoint of a training run has TF1's keys. An
// IndexedSlices gradient (an embedding's) is applied to the rows it names, as TF's
// _apply_sparse: ScatterSub, SparseApplyMomentum, Adam's scatter_add form.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "varscope/graph.h"
#include "varscope/indexed_slices.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope::train {

// tf.GraphKeys.GLOBAL_STEP.
inline constexpr const char* kGlobalStepKey = "global_step";

// tf.train.get_or_create_global_step: the variable of the GLOBAL_STEP collection, else a new
// int64 scalar "global_step" (zeros, not trainable) in GLOBAL_VARIABLES and GLOBAL_STEP.
Variable get_or_create_global_step(Graph& g);
// The GLOBAL_STEP collection's variable; an invalid Variable when there is none.
Variable get_global_step(const Graph& g);

// A gradient (dense, an IndexedSlices, or invalid: TF's None) and its variable.
using GradAndVar = std::pair<Gradient, Variable>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Optimizer.GATE_NONE, GATE_OP (the default), GATE_GRAPH: kOp gates each op's input
  // gradients (tf.gradients' gate_gradients), so they are named
  // "gradients/<op>_grad/tuple/control_dependency_N"; kGraph gates all the returned
  // gradients together ("tuple/control_dependency_N" in the current name scope).
  enum class Gate { kNone, kOp, kGraph };

  // tf.gradients of `loss` with respect to var_list (empty: TRAINABLE_VARIABLES); a
  // variable read through lookups gets an IndexedSlices, as in TF.
  std::vector<GradAndVar> compute_gradients(const Tensor& loss,
                                            const std::vector<Variable>& var_list = {},
                                            Gate gate = Gate::kOp);
  // The update ops, then (with a valid global_step) an AssignAdd of 1 to it; the result is
  // named `name` (default: the optimizer's name). Gradients that are None are skipped.
  Operation apply_gradients(const std::vector<GradAndVar>& grads_and_vars,
                            const Variable& global_step = {},
                            std::string_view name = {});
  Operation minimize(const Tensor& loss,
                     const Variable& global_step = {},
                     const std::vector<Variable>& var_list = {},
                     std::string_view name = {},
                     Gate gate = Gate::kOp);

  // The slot `slot_name` ("m", "v", "momentum") of `var`; invalid when it has none.
  Variable get_slot(const Variable& var, std::string_view slot_name) const;
  const std::string& name() const { return name_; }

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}
  Operation build_apply(Graph& g,
                        const std::vector<GradAndVar>& grads_and_vars,
                        const Variable& global_step,
                        std::string_view name);

  // Hooks, called inside the graph's building call (the library implements them).
  virtual void create_slots(Graph& g, const std::vector<Variable>& vars) = 0;
  virtual void prepare(Graph& g) = 0;  // the hyperparameters' Consts, in "<name>/"
  virtual Operation apply_dense(Graph& g,
                                const Tensor& grad,
                                const Variable& var,
                                const std::vector<Operation>& after) = 0;
  // TF's _apply_sparse_duplicate_indices: the repeated indices' rows summed ("Unique",
  // "Shape", "strided_slice", "UnsortedSegmentSum"), then apply_sparse. GradientDescent
  // overrides it: its ScatterSub adds repeated rows up itself.
  virtual Operation apply_sparse_duplicate_indices(Graph& g,
                                                   const IndexedSlices& grad,
                                                   const Variable& var,
                                                   const std::vector<Operation>& after);
  // TF's _apply_sparse: `grad`'s indices are distinct.
  virtual Operation apply_sparse(Graph& g,
                                 const IndexedSlices& grad,
                                 const Variable& var,
                                 const std::vector<Operation>& after) = 0;
  // After every update (Adam's beta powers); returns the ops the train op groups.
  virtual std::vector<Operation> finish(Graph& g, const std::vector<Operation>& updates);

  // slot_creator.create_zeros_slot: get_variable("") in variable_scope(None,
  // "<var>/<op_name>"), so the slot's store key is "<var>/<Opt>/" and a second optimizer's
  // slot is "<var>/<Opt>_1".
  Variable zeros_slot(Graph& g,
                      const Variable& var,
                      std::string_view slot_name,
                      std::string_view op_name);
  // Optimizer._create_non_slot_variable: a tf.Variable (not trainable) in the current name
  // scope, made once per optimizer and colocated with `colocate_with`; `name` is also its key
  // ("beta1_power").
  Variable non_slot(Graph& g,
                    const HostTensor& initial_value,
                    std::string_view name,
                    const Variable& colocate_with);
  Variable find_non_slot(std::string_view name) const;

  std::string name_;
  // State that outlives a building call. A call that fails gives the graph's ids back, so
  // build_apply registers, with the graph's roll-back, the undo of what it adds here.
  std::vector<std::pair<std::string, Variable>> slots_;      // "<var op name>|<slot>" -> slot
  std::vector<std::pair<std::string, Variable>> non_slots_;  // name -> variable
};

class GradientDescentOptimizer final : public Optimizer {
 public:
  explicit GradientDescentOptimizer(double learning_rate, std::string name = "GradientDescent");

 private:
  void create_slots(Graph&, const std::vector<Variable>&) override {}
  void prepare(Graph& g) override;
  Operation apply_dense(Graph& g,
                        const Tensor& grad,
                        const Variable& var,
                        const std::vector<Operation>& after) override;
  Operation apply_sparse(Graph& g,
                         const IndexedSlices& grad,
                         const Variable& var,
                         const std::vector<Operation>& after) override;
  Operation apply_sparse_duplicate_indices(Graph& g,
                                           const IndexedSlices& grad,
                                           const Variable& var,
                                           const std::vector<Operation>& after) override;
  double learning_rate_;
  Tensor lr_t_;
};

class MomentumOptimizer final : public Optimizer {
 public:
  MomentumOptimizer(double learning_rate,
                    double momentum,
                    bool use_nesterov = false,
                    std::string name = "Momentum");

 private:
  void create_slots(Graph& g, const std::vector<Variable>& vars) override;
  void prepare(Graph& g) override;
  Operation apply_dense(Graph& g,
                        const Tensor& grad,
                        const Variable& var,
                        const std::vector<Operation>& after) override;
  Operation apply_sparse(Graph& g,
                         const IndexedSlices& grad,
                         const Variable& var,
                         const std::vector<Operation>& after) override;
  double learning_rate_, momentum_;
  bool use_nesterov_;
  Tensor lr_t_, momentum_t_;
};

class AdamOptimizer final : public Optimizer {
 public:
  explicit AdamOptimizer(double learning_rate = 0.001,
                         double beta1 = 0.9,
                         double beta2 = 0.999,
                         double epsilon = 1e-8,
                         std::string name = "Adam");

 private:
  void create_slots(Graph& g, const std::vector<Variable>& vars) override;
  void prepare(Graph& g) override;
  Operation apply_dense(Graph& g,
                        const Tensor& grad,
                        const Variable& var,
                        const std::vector<Operation>& after) override;
  Operation apply_sparse(Graph& g,
                         const IndexedSlices& grad,
                         const Variable& var,
                         const std::vector<Operation>& after) override;
  std::vector<Operation> finish(Graph& g, const std::vector<Operation>& updates) override;
  double learning_rate_, beta1_, beta2_, epsilon_;
  Tensor lr_t_, beta1_t_, beta2_t_, epsilon_t_;
};

}  // namespace varscope::train

#pragma GCC visibility pop
