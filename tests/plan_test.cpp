// The typed graph -> runtime contract, below the public API: the shape rules both sides
// apply, the op definitions and their checked attribute accessor, and the planner's fused
// random initializers (built from the builder's record, under the conditions that keep
// their bits: intermediates used once, not fetched, not fed).
#include "host/runtime/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "host/core/shape_rules.h"
#include "host/graph/op_defs.h"
#include "plan_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using plan_test::plan_of;

int count_kind(const d::Plan& plan, d::OpKind kind) {
  return static_cast<int>(std::count_if(plan.steps.begin(), plan.steps.end(),
                                        [&](const d::Step& s) { return s.kind == kind; }));
}

const d::Step& only_step(const d::Plan& plan, d::OpKind kind) {
  auto it = std::find_if(plan.steps.begin(), plan.steps.end(),
                         [&](const d::Step& s) { return s.kind == kind; });
  if (it == plan.steps.end()) throw std::runtime_error("no such step");
  return *it;
}

// ---- shape rules ----

TEST(ShapeRules, BroadcastAlignsFromTheRightAndNamesTheFirstMismatch) {
  EXPECT_EQ(*d::broadcast(vs::Shape({2, 1, 3}), vs::Shape({4, 3})), vs::Shape({2, 4, 3}));
  EXPECT_EQ(*d::broadcast(vs::Shape({vs::kUnknownDim, 3}), vs::Shape({5, 1})), vs::Shape({5, 3}));
  EXPECT_FALSE(d::broadcast(vs::Shape({2, 3}), vs::Shape({4, 3})).has_value());
  EXPECT_EQ(d::first_broadcast_mismatch(vs::Shape({2, 3}), vs::Shape({4, 3})),
            std::make_pair(std::int64_t{2}, std::int64_t{4}));
  EXPECT_FALSE(d::broadcast(vs::Shape::unknown_rank(), vs::Shape({2})).value().has_rank());
}

TEST(ShapeRules, MatMulTransposesBroadcastsBatchesAndReportsWhatFailed) {
  using F = d::MatMulShape::Failure;
  d::MatMulShape r = d::matmul_shape(vs::Shape({5, 1, 3, 2}), vs::Shape({4, 3, 7}),
                                     /*transpose_a=*/true, false, /*batched=*/true);
  ASSERT_EQ(r.failure, F::kNone);
  EXPECT_EQ(r.out, vs::Shape({5, 4, 2, 7}));
  EXPECT_EQ(d::matmul_shape(vs::Shape({2, 3}), vs::Shape({4, 3}), false, false, false).failure,
            F::kInnerDims);
  EXPECT_EQ(d::matmul_shape(vs::Shape({2, 3}), vs::Shape({4, 3}), false, true, false).out,
            vs::Shape({2, 4}));
  r = d::matmul_shape(vs::Shape({2, 2, 3}), vs::Shape({2, 3}), false, false, false);
  EXPECT_EQ(r.failure, F::kRank);
  EXPECT_EQ(r.bad_rank, 3);
  r = d::matmul_shape(vs::Shape({2, 2, 3}), vs::Shape({3, 3, 4}), false, false, true);
  EXPECT_EQ(r.failure, F::kBatchDims);
  EXPECT_EQ(r.mismatch, std::make_pair(std::int64_t{2}, std::int64_t{3}));
}

TEST(ShapeRules, ReductionAxesNormaliseAndRefuseOutOfRangeOrRepeatedAxes) {
  using F = d::ReductionAxes::Failure;
  const std::vector<std::int64_t> axes = {-1, 0};
  d::ReductionAxes r = d::reduction_axes(3, axes, false);
  ASSERT_EQ(r.failure, F::kNone);
  EXPECT_EQ(r.reduced, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(d::reduced_shape(vs::Shape({2, 3, 4}), r.reduced, false), vs::Shape({3}));
  EXPECT_EQ(d::reduced_shape(vs::Shape({2, 3, 4}), r.reduced, true), vs::Shape({1, 3, 1}));
  const std::vector<std::int64_t> repeated = {1, -2};
  r = d::reduction_axes(3, repeated, false);
  EXPECT_EQ(r.failure, F::kDuplicate);
  EXPECT_EQ(r.bad_axis, 1);
  EXPECT_EQ(d::reduction_axes(3, repeated, true).failure, F::kNone);
  const std::vector<std::int64_t> out_of_range = {0, -4};
  r = d::reduction_axes(3, out_of_range, true);
  EXPECT_EQ(r.failure, F::kOutOfRange);
  EXPECT_EQ(r.bad_axis, -4);
}

// ---- op definitions ----

TEST(OpDefs, NodesKeepTheirDefinitionsTfName) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape({2, 3, 4}));
  vs::Tensor m = vs::matmul(a, a, {.transpose_b = true});
  vs::Tensor s = vs::reduce_sum(vs::relu(m) * 2.0f);
  EXPECT_EQ(m.op().type(), "BatchMatMulV2");
  EXPECT_EQ(s.op().type(), "Sum");
  const auto impl = d::Access::impl(g);
  for (std::size_t i = 0; i < impl->num_nodes(); ++i) {
    const d::Node& n = impl->node(static_cast<int>(i));
    EXPECT_EQ(n.type, d::op_def(n.op).name);
  }
  EXPECT_TRUE(m.op().attr_bool("adj_y"));
}

TEST(OpDefs, AMissingOrMistypedAttrIsAnInternalErrorNamingNodeAndAttr) {
  vs::Graph g;
  vs::Tensor r = vs::random_normal(g, vs::Shape({2}), {.seed = 3});
  const auto impl = d::Access::impl(g);
  const d::Node& rnd =
      impl->node(g.get_operation_by_name("random_normal/RandomStandardNormal").id());
  EXPECT_NO_THROW((void)d::attr<std::int64_t>(rnd, d::attr_name::kSeed));
  try {
    (void)d::attr<bool>(rnd, d::attr_name::kKeepDims);
    ADD_FAILURE() << "no error";
  } catch (const vs::InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("random_normal/RandomStandardNormal"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("keep_dims"), std::string::npos);
  }
  EXPECT_THROW((void)d::attr<bool>(rnd, d::attr_name::kSeed), vs::InternalError);
  // Creating a node with an attr its op does not define is refused the same way.
  EXPECT_THROW(impl->add_node(d::OpType::kRelu, "bad", {{r.op().id(), 0}},
                              {{vs::DType::kFloat32, vs::Shape({2})}}, {{"keep_dims", true}}),
               vs::InternalError);
}

// ---- the planner's fused random initializers ----

TEST(PlannerFusion, ARandomNormalInitializerIsOneStepWrittenIntoTheVariable) {
  vs::Graph g;
  vs::Variable v =
      g.variable(vs::random_normal(g, vs::Shape({3, 4}), {.mean = 0.5, .stddev = 0.1}));
  const d::Plan plan = plan_of(g, {}, {}, {v.initializer()});
  EXPECT_EQ(count_kind(plan, d::OpKind::kFusedRandom), 1);
  EXPECT_EQ(count_kind(plan, d::OpKind::kRandomNormal), 0);
  EXPECT_EQ(count_kind(plan, d::OpKind::kBinary), 0);
  const d::Step& fused = only_step(plan, d::OpKind::kFusedRandom);
  EXPECT_EQ(fused.random_kind, d::OpKind::kRandomNormal);
  EXPECT_TRUE(fused.affine.enabled);
  EXPECT_EQ(fused.affine.scale, static_cast<double>(0.1f));
  EXPECT_EQ(fused.affine.shift, static_cast<double>(0.5f));
  EXPECT_EQ(fused.into_variable, v.id());
  EXPECT_TRUE(only_step(plan, d::OpKind::kAssign).assign_in_place);
}

TEST(PlannerFusion, AUniformRangeIsRoundedAsTheSubOpRoundsIt) {
  vs::Graph g;
  vs::Tensor u = vs::random_uniform(g, vs::Shape({5}), {.minval = -0.1, .maxval = 0.3});
  const d::Plan plan = plan_of(g, {u}, {}, {});
  const d::Step& fused = only_step(plan, d::OpKind::kFusedRandom);
  EXPECT_EQ(fused.random_kind, d::OpKind::kRandomUniform);
  EXPECT_EQ(fused.affine.scale, static_cast<double>(0.3f - (-0.1f)));
  EXPECT_EQ(fused.affine.shift, static_cast<double>(-0.1f));
  // Besides the Consts (uploaded once, then cached), one step.
  EXPECT_EQ(plan.steps.size() - static_cast<std::size_t>(count_kind(plan, d::OpKind::kConst)), 1u);
}

TEST(PlannerFusion, NotWhenAnIntermediateIsFetchedOrAScaleIsFed) {
  vs::Graph g;
  vs::Tensor r = vs::random_normal(g, vs::Shape({4}), {.mean = 1.0, .stddev = 2.0});
  vs::Tensor mul = g.get_tensor_by_name("random_normal/mul:0");
  d::Plan plan = plan_of(g, {r, mul}, {}, {});
  EXPECT_EQ(count_kind(plan, d::OpKind::kFusedRandom), 0);
  EXPECT_EQ(count_kind(plan, d::OpKind::kRandomNormal), 1);
  EXPECT_EQ(count_kind(plan, d::OpKind::kBinary), 2);

  vs::Tensor stddev = g.get_tensor_by_name("random_normal/stddev:0");
  plan = plan_of(g, {r}, {{stddev, vs::HostTensor::scalar(3.0f)}}, {});
  EXPECT_EQ(count_kind(plan, d::OpKind::kFusedRandom), 0);
  EXPECT_EQ(count_kind(plan, d::OpKind::kBinary), 2);

  plan = plan_of(g, {r}, {}, {});
  EXPECT_EQ(count_kind(plan, d::OpKind::kFusedRandom), 1);
  // Besides the Consts (uploaded once, then cached), one step.
  EXPECT_EQ(plan.steps.size() - static_cast<std::size_t>(count_kind(plan, d::OpKind::kConst)), 1u);
}

TEST(PlannerFusion, NotForAHandBuiltChainTheBuilderDidNotRecord) {
  // The same op types wired by hand are run op by op (same bits, no fusion).
  vs::Graph g;
  vs::Tensor r = vs::random_normal(g, vs::Shape({4}));
  vs::Tensor raw = g.get_tensor_by_name("random_normal/RandomStandardNormal:0");
  vs::Tensor scaled = (raw * 2.0f) + 1.0f;
  const d::Plan plan = plan_of(g, {scaled}, {}, {});
  EXPECT_EQ(count_kind(plan, d::OpKind::kFusedRandom), 0);
  EXPECT_EQ(count_kind(plan, d::OpKind::kRandomNormal), 1);
  (void)r;
}

}  // namespace

// Issue 23: the run calls a node's shape function only where the graph could not know an
// input's shape (Sum/Mean with Const axes: their run-only check, repeated axes, is made once
// by the planner).
TEST(ShapeFunctions, TheRunChecksOnlyStepsWhoseInputShapesTheGraphDidNotKnow) {
  vs::Graph g;
  vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3}));
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "p");
  vs::Tensor known = x * 2.0f;
  vs::Tensor fed = p + x;
  vs::Tensor sum = vs::reduce_sum(known);
  const d::Plan plan =
      plan_of(g, {known, fed, sum}, {{p, vs::HostTensor(std::vector<float>{1})}}, {});
  for (const d::Step& s : plan.steps) {
    const d::Node& n = d::Access::impl(g)->node(s.node);
    SCOPED_TRACE(n.name);
    EXPECT_EQ(s.check_shapes, n.name == "add");
  }
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(sess.run(fed, {{p, vs::HostTensor(std::vector<float>{1})}}).num_elements(), 3);
  try {
    sess.run(fed, {{p, vs::HostTensor(std::vector<float>{1, 2})}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_EQ(std::string(e.what()), "Incompatible shapes: [2] vs. [3]\n\t [[{{node add}}]]");
  }
}

TEST(ShapeFunctions, AddNMergesItsInputsAsTf) {
  vs::Graph g;
  auto zeros = [&](vs::Shape s) { return vs::placeholder(g, vs::DType::kFloat32, s); };
  auto error_of = [](auto f) {
    try {
      f();
    } catch (const vs::ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // TF 1.15: tf.add_n([tf.zeros([2, 3]), tf.zeros([3])]), then with [2,3], [2,3], [2,4].
  EXPECT_EQ(error_of([&] {
              vs::add_n({zeros({2, 3}), zeros({3})});
            }),
            "Shapes must be equal rank, but are 2 and 1\n\tFrom merging shape 0 with other "
            "shapes. for 'AddN' (op: 'AddN') with input shapes: [2,3], [3].");
  EXPECT_EQ(error_of([&] {
              vs::add_n({zeros({2, 3}), zeros({2, 3}), zeros({2, 4})});
            }),
            "Dimension 1 in both shapes must be equal, but are 3 and 4. Shapes are [2,3] and "
            "[2,4].\n\tFrom merging shape 1 with other shapes. for 'AddN' (op: 'AddN') with "
            "input shapes: [2,3], [2,3], [2,4].");
  EXPECT_EQ(vs::add_n({zeros({vs::kUnknownDim, 3}), zeros({2, vs::kUnknownDim})}).shape(),
            (vs::Shape{2, 3}));
}
