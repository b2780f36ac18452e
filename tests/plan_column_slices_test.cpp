// The plan's sliced products (column_slices.cpp): a product x · Wᵀ read only by a Slice of
// some of its columns computes just those columns from the same rows of W, and the Slice
// leaves the plan. The values are the sliced full product's (small integers: exact sums),
// on the CPU alone and beside the shared transposes, and on a GPU as on the CPU.
#include <gtest/gtest.h>

#include <cstdint>
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

// (columns_begin, columns) of each product of the plan, and its number of Slice steps.
std::vector<Cut> cuts(const vs::Graph& g, const d::Plan& plan, int* slices = nullptr) {
  std::vector<Cut> out;
  if (slices != nullptr) *slices = 0;
  for (const d::Step& s : plan.steps) {
    if (s.kind == d::OpKind::kMatMul) out.push_back({s.columns_begin, s.columns});
    if (slices != nullptr && d::Access::impl(g)->node(s.node).op == d::OpType::kSlice &&
        !s.device_copy) {
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
