// The plan's sliced products (column_slices.cpp): a product x · Wᵀ read only by a Slice of
// some of its columns computes just those columns from the same rows of W, and the Slice
// leaves the plan. The values are the sliced full product's (small integers: exact sums),
// on the CPU alone and beside the shared transposes, and on a GPU as on the CPU. TF's
// gradients read the product through a tuple's Identity, and the dead steps (dead_steps.cpp)
// that TF's tuple keeps alive become no-ops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "host/runtime/plan.h"
#include "plan_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

using plan_test::plan_of;
using plan_test::values;

struct Cut {
  std::int64_t begin = 0, columns = -1;
  bool operator==(const Cut&) const = default;
};

// (columns_begin, columns) of each product of the plan, and its number of Slice steps (not
// counting those that became no-ops).
std::vector<Cut> cuts(const vs::Graph& g, const d::Plan& plan, int* slices = nullptr) {
  std::vector<Cut> out;
  if (slices != nullptr) *slices = 0;
  for (const d::Step& s : plan.steps) {
    if (s.kind == d::OpKind::kMatMul) out.push_back({s.columns_begin, s.columns});
    if (slices != nullptr && d::Access::impl(g)->node(s.node).op == d::OpType::kSlice &&
        s.kind != d::OpKind::kNoOp && !s.device_copy) {
      ++*slices;
    }
  }
  return out;
}

// x_i · Wᵀ for `count` inputs of `rows` rows (W is [40, 24]), each sliced to columns 10..29.
struct Sliced : plan_test::Products {
  std::vector<vs::Tensor> slices;
};

Sliced build(vs::Graph& g, int count, std::int64_t rows) {
  Sliced p{plan_test::build_products(g, count, rows), {}};
  for (const vs::Tensor& product : p.products)
    p.slices.push_back(vs::slice(product, {0, 10}, {-1, 20}));
  return p;
}

// Columns 10..29 of x · Wᵀ on the host.
std::vector<float> expected(const vs::HostTensor& x, const vs::HostTensor& w) {
  const std::vector<float> full = plan_test::x_times_w_transposed(x, w);
  const std::int64_t n = w.shape().dim(0);
  std::vector<float> out;
  for (std::int64_t i = 0; i < x.shape().dim(0); ++i) {
    for (std::int64_t j = 10; j < 30; ++j)
      out.push_back(full[static_cast<std::size_t>(i * n + j)]);
  }
  return out;
}

TEST(PlannerColumnSlices, AProductReadOnlyByAColumnSliceComputesThoseColumns) {
  for (const int count : {1, 5}) {  // 5: the products also share one transposed W (CPU)
    vs::Graph g;
    const Sliced p = build(g, count, 3);
    int slices = -1;
    const d::Plan plan = plan_of(g, p.slices, p.feeds);
    EXPECT_EQ(cuts(g, plan, &slices), std::vector<Cut>(static_cast<std::size_t>(count), {10, 20}));
    EXPECT_EQ(slices, 0);
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
    sess.run(g.global_variables_initializer());
    const vs::HostTensor w = sess.run(p.w.value());
    const std::vector<vs::HostTensor> got = sess.run(p.slices, p.feeds);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].shape(), (vs::Shape{3, 20}));
      EXPECT_EQ(values(got[i]), expected(p.feeds[i].second, w)) << count << " products, " << i;
    }
  }
}

TEST(PlannerColumnSlices, NotWhenTheProductHasAnotherReaderOrIsNotXTimesWTransposed) {
  vs::Graph g;
  const Sliced p = build(g, 1, 3);
  // Fetched beside its slice, or read by a second slice: every column is needed.
  EXPECT_EQ(cuts(g, plan_of(g, {p.slices[0], p.products[0]}, p.feeds)), std::vector<Cut>{{}});
  const vs::Tensor other = vs::slice(p.products[0], {0, 0}, {-1, 5});
  EXPECT_EQ(cuts(g, plan_of(g, {p.slices[0], other}, p.feeds)), std::vector<Cut>{{}});
  // Rows cut too, or a product x · W (W's columns are not contiguous).
  const vs::Tensor rows = vs::slice(p.products[0], {1, 10}, {-1, 20});
  EXPECT_EQ(cuts(g, plan_of(g, {rows}, p.feeds)), std::vector<Cut>{{}});
  const vs::Tensor plain = vs::matmul(p.xs[0], vs::transpose(p.w.value()));
  const vs::Tensor plain_slice = vs::slice(plain, {0, 10}, {-1, 20});
  EXPECT_EQ(cuts(g, plan_of(g, {plain_slice}, p.feeds)), std::vector<Cut>{{}});
  // The uncut forms still compute the same columns.
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> got = sess.run({p.slices[0], plain_slice}, p.feeds);
  EXPECT_EQ(values(got[0]), values(got[1]));
}

// TF's gradient of concat([x, h]) · W with gate_gradients (the optimizers' default): the
// product's input gradient passes through the tuple's Identity, and x's slice (x is fed, so
// nothing needs its gradient) is read only by the tuple's NoOp. That slice becomes a no-op
// (dead_steps.cpp), the product is cut to h's columns through the Identity, and the gradients
// are the uncut plan's.
TEST(PlannerColumnSlices, TheGradientOfAConcatIsCutThroughTfsTuple) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 8});
  const vs::Tensor z = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 5});
  const vs::Variable v = g.variable(plan_test::integers(vs::Shape{5, 16}, 2), {.name = "v"});
  const vs::Variable w = g.variable(plan_test::integers(vs::Shape{24, 12}, 3), {.name = "w"});
  const vs::Tensor h = vs::matmul(z, v.value());
  const vs::Tensor y = vs::matmul(vs::concat({x, h}, 1), w.value());
  const std::vector<vs::Tensor> grads =
      vs::gradients({y}, std::vector<vs::Variable>{v, w}, {}, "gradients", true);
  const vs::FeedDict feeds{{x, plan_test::integers(vs::Shape{3, 8}, 4)},
                           {z, plan_test::integers(vs::Shape{3, 5}, 5)}};
  int slices = -1;
  const std::vector<Cut> cut = cuts(g, plan_of(g, grads, feeds), &slices);
  EXPECT_EQ(std::count(cut.begin(), cut.end(), Cut{8, 16}), 1);
  EXPECT_EQ(slices, 0);  // x's is a no-op, h's is the cut
  // Fetched beside the gradients, the product keeps every column.
  const vs::Tensor product = g.get_tensor_by_name("gradients/MatMul_1_grad/MatMul:0");
  std::vector<vs::Tensor> with_product = grads;
  with_product.push_back(product);
  const std::vector<Cut> uncut = cuts(g, plan_of(g, with_product, feeds));
  EXPECT_EQ(std::count(uncut.begin(), uncut.end(), Cut{}), static_cast<long>(uncut.size()));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> got = sess.run(grads, feeds);
  const std::vector<vs::HostTensor> want = sess.run(with_product, feeds);
  for (std::size_t i = 0; i < grads.size(); ++i)
    EXPECT_EQ(values(got[i]), values(want[i])) << "gradient " << i;
}

// A product, slice or identity no step reads becomes a no-op, from the last reader back; one
// that reads a variable's storage directly (its "read" Identity) stays (reading an
// uninitialized variable is still the run's error), and so does a target of the run.
TEST(PlannerDeadSteps, UnreadProductsSlicesAndIdentitiesBecomeNoOps) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3, 4});
  const vs::Variable w = g.variable(plan_test::integers(vs::Shape{4, 4}, 1), {.name = "w"});
  const vs::Tensor product = vs::matmul(x, w.value());
  const vs::Tensor passed_on = vs::identity(product);
  const vs::Tensor unread = vs::slice(passed_on, {0, 0}, {-1, 2});
  const vs::Tensor fetched = vs::identity(x);
  const vs::Operation target = vs::group({unread.op()});
  const vs::FeedDict feeds{{x, plan_test::integers(vs::Shape{3, 4}, 2)}};
  const d::Plan plan = plan_of(g, {fetched}, feeds, {target});
  const d::GraphImpl& graph = *d::Access::impl(g);
  std::vector<std::string> live;
  for (const d::Step& s : plan.steps) {
    if (s.kind != d::OpKind::kNoOp) live.push_back(graph.node(s.node).name);
  }
  for (const vs::Tensor& dead : {unread, passed_on, product})
    EXPECT_EQ(std::count(live.begin(), live.end(), dead.op().name()), 0) << dead.op().name();
  for (const vs::Tensor& kept : {w.value(), fetched})
    EXPECT_EQ(std::count(live.begin(), live.end(), kept.op().name()), 1) << kept.op().name();
  // A target of the run is run, as TF runs it.
  const d::Plan targeted = plan_of(g, {fetched}, feeds, {product.op()});
  EXPECT_TRUE(std::any_of(targeted.steps.begin(), targeted.steps.end(), [&](const d::Step& s) {
    return s.kind == d::OpKind::kMatMul && graph.node(s.node).name == product.op().name();
  }));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_THROW(sess.run(std::vector<vs::Tensor>{fetched}, feeds, {target}),
               vs::FailedPreconditionError);
  sess.run(g.global_variables_initializer());
  EXPECT_EQ(values(sess.run(std::vector<vs::Tensor>{fetched}, feeds, {target})[0]),
            values(feeds[0].second));
}

class PlannerColumnSlicesGpu : public vs::testing::GpuTest {};

TEST_F(PlannerColumnSlicesGpu, TheGpuCutsAsTheCpuDoes) {
  vs::Graph g;
  const Sliced p = build(g, 5, 3);
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  vs::Session gpu(g, {.device = vs::DeviceKind::kCuda});
  cpu.run(g.global_variables_initializer());
  gpu.run(g.global_variables_initializer());
  const std::vector<vs::HostTensor> c = cpu.run(p.slices, p.feeds), u = gpu.run(p.slices, p.feeds);
  for (std::size_t i = 0; i < c.size(); ++i)
    EXPECT_EQ(values(c[i]), values(u[i])) << "product " << i;
}

}  // namespace
