// varscope::dist across processes: run by ctest under
// `mpirun --allow-run-as-root --oversubscribe -np 2`. Every rank runs every test; the ranks
// compare their variables through the communicator itself.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "dist/dist_model.h"
#include "varscope/dist.h"

namespace {

namespace vs = varscope;
using vs_dist_test::batch;
using vs_dist_test::build_model;
using vs_dist_test::kGlobalBatch;

constexpr int kSteps = 50;

// Every global variable's bytes, in order.
std::string variable_bytes(vs::Session& s, const vs::Graph& g) {
  std::string out;
  for (const vs::Variable& v : g.global_variables()) {
    const vs::HostTensor t = s.run(v);
    out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  }
  return out;
}

bool identical_on_all_ranks(const std::string& mine) {
  const auto all = vs::dist::communicator()->allgather(mine);
  return std::all_of(all.begin(), all.end(), [&](const std::string& b) { return b == mine; });
}

struct Trained {
  std::vector<vs::HostTensor> variables;
  bool identical = false;
};

// Each rank starts from its own initial values (graph seed = 10 + rank) and trains on its
// half of the global batch.
Trained train_distributed(bool broadcast) {
  const int rank = vs::dist::rank(), size = vs::dist::size();
  auto m = build_model(10 + rank);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer opt(adam);
  vs::Variable step = vs::train::get_or_create_global_step(m.g);
  vs::Operation train_op = opt.minimize(m.loss, step);
  vs::Operation bcast = vs::dist::broadcast_global_variables(m.g, 0);
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  if (broadcast) s.run(bcast);
  const int rows = kGlobalBatch / size;
  for (int i = 0; i < kSteps; ++i)
    s.run(train_op, batch(m, rank * rows, rows));
  Trained out;
  out.identical = identical_on_all_ranks(variable_bytes(s, m.g));
  for (const vs::Variable& v : m.g.global_variables())
    out.variables.push_back(s.run(v));
  return out;
}

TEST(DistMpiTest, InitGivesRankSizeAndLocalRank) {
  EXPECT_EQ(vs::dist::size(), 2);
  EXPECT_GE(vs::dist::rank(), 0);
  EXPECT_LT(vs::dist::rank(), 2);
  EXPECT_EQ(vs::dist::local_rank(), vs::dist::rank());  // one node
  vs::dist::init();                                     // a second call does nothing
  EXPECT_EQ(vs::dist::size(), 2);
}

TEST(DistMpiTest, AfterFiftyAdamStepsRanksHoldBitIdenticalVariables) {
  const Trained t = train_distributed(/*broadcast=*/true);
  EXPECT_TRUE(t.identical);  // kernels, biases, slots, beta powers, global step
  EXPECT_EQ(t.variables.front().dtype(), vs::DType::kFloat32);
  // Rank 0 matches one process that trains on the whole global batch from rank 0's start.
  if (vs::dist::rank() != 0) return;
  auto m = build_model(10);
  vs::train::AdamOptimizer adam(0.01);
  vs::Variable step = vs::train::get_or_create_global_step(m.g);
  vs::Operation train_op = adam.minimize(m.loss, step);
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  for (int i = 0; i < kSteps; ++i)
    s.run(train_op, batch(m, 0, kGlobalBatch));
  const auto vars = m.g.global_variables();
  ASSERT_EQ(vars.size(), t.variables.size());
  double worst = 0;
  for (std::size_t v = 0; v < vars.size(); ++v) {
    const vs::HostTensor one = s.run(vars[v]);
    for (std::int64_t i = 0; i < one.num_elements(); ++i)
      worst =
          std::max(worst, std::abs(one.element_as_double(i) - t.variables[v].element_as_double(i)));
  }
  EXPECT_LE(worst, 1e-6);
  EXPECT_EQ(s.run(step).data<std::int64_t>()[0], kSteps);
}

TEST(DistMpiTest, WithoutTheBroadcastRanksDiffer) {  // negative control
  const Trained t = train_distributed(/*broadcast=*/false);
  EXPECT_FALSE(t.identical);
}

TEST(DistMpiTest, MismatchedGraphsAreAnErrorWithinASecond) {  // negative control
  const int rank = vs::dist::rank();
  auto m = build_model(1, rank == 0 ? "hidden" : "hidden_other");
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer opt(adam);
  vs::Operation train_op = opt.minimize(m.loss);
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  const auto start = std::chrono::steady_clock::now();
  try {
    s.run(train_op, batch(m, rank * 8, 8));
    FAIL() << "no error";
  } catch (const vs::FailedPreconditionError& e) {
    const std::string text = e.what();
    // The first collective of the plan's order whose name differs, on each rank.
    const std::size_t rank1_at = text.find("; rank 1: ");
    ASSERT_NE(rank1_at, std::string::npos) << text;
    EXPECT_EQ(text.rfind("Collective ops differ across ranks at collective #", 0), 0u) << text;
    EXPECT_NE(text.find("rank 0: DistributedAdamOptimizer_Allreduce/cond"), std::string::npos);
    EXPECT_NE(text.substr(0, rank1_at).find("/HorovodAllreduce_gradients_hidden_"),
              std::string::npos)
        << text;
    EXPECT_NE(text.substr(rank1_at).find("/HorovodAllreduce_gradients_hidden_other_"),
              std::string::npos)
        << text;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 1.0);
}

// Horovod's gradients of its collectives, across real ranks: z = collective(x) * c with
// c = rank + 1, so the gradient reaching each rank's collective is c (1 on rank 0, 2 on 1).
TEST(DistMpiTest, CollectiveGradientsAreHorovods) {
  const int rank = vs::dist::rank();
  vs::Graph g;
  vs::Tensor x =
      vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}), {.name = "x"});
  const float mine = static_cast<float>(rank + 1);
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{mine, mine}, vs::Shape{2}));
  const auto grad = [&](const vs::Tensor& y) { return vs::gradients({y * c}, {x}).at(0); };
  const vs::Tensor sum = grad(vs::dist::allreduce(x, vs::dist::ReduceOp::kSum));
  const vs::Tensor mean = grad(vs::dist::allreduce(x, vs::dist::ReduceOp::kAverage));
  const vs::Tensor bcast = grad(vs::dist::broadcast(x, 0));
  vs::Session s(g);
  const auto out = s.run(std::vector<vs::Tensor>{sum, mean, bcast});
  EXPECT_EQ(out[0].data<float>()[1], 3.0f);                     // 1 + 2
  EXPECT_EQ(out[1].data<float>()[1], 1.5f);                     // (1 + 2) / 2
  EXPECT_EQ(out[2].data<float>()[1], rank == 0 ? 1.5f : 0.0f);  // the root keeps the mean
}

TEST(DistMpiTest, Float16OverMpiIsUnimplementedOnEveryRank) {  // E249
  // Through a graph the planner refuses it first (the CPU kernels compute no float16
  // allreduce); the communicator itself refuses it too, before calling MPI.
  vs::Graph g;
  vs::Tensor x = vs::constant(
      g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}).cast(vs::DType::kFloat16));
  vs::Tensor r = vs::dist::allreduce(x);
  vs::Session s(g);
  try {
    s.run(r);
    FAIL() << "no error";
  } catch (const vs::UnimplementedError& e) {
    EXPECT_STREQ(e.what(), "HorovodAllreduce on float16");
  }
  std::vector<std::uint16_t> halves = {0x3c00, 0x4000};  // 1, 2
  vs::dist::CollectiveBuffer b{halves.data(), 2, vs::DType::kFloat16};
  try {
    vs::dist::communicator()->allreduce(b, vs::dist::ReduceOp::kSum);
    FAIL() << "no error";
  } catch (const vs::UnimplementedError& e) {
    EXPECT_STREQ(e.what(), "HorovodAllreduce over MPI on float16");
  }
  EXPECT_EQ(halves, (std::vector<std::uint16_t>{0x3c00, 0x4000}));  // untouched
  EXPECT_TRUE(identical_on_all_ranks("after float16"));             // the communicator still works
}

// The counts are checked before any memory is read: a buffer of no memory and a count past
// MPI's int stands for a tensor of that size.
TEST(DistMpiTest, CountsPastMpisIntAreUnimplemented) {  // E249
  const auto comm = vs::dist::communicator();
  vs::dist::CollectiveBuffer huge;
  huge.count = std::int64_t{1} << 31;  // INT32_MAX + 1 elements
  try {
    comm->allreduce(huge, vs::dist::ReduceOp::kSum);
    FAIL() << "no error";
  } catch (const vs::UnimplementedError& e) {
    EXPECT_STREQ(e.what(), "An MPI allreduce of over 2^31 elements");
  }
  huge.count = std::int64_t{1} << 29;  // 2^31 bytes of float32: one byte past MPI's int
  try {
    comm->broadcast(huge, 0);
    FAIL() << "no error";
  } catch (const vs::UnimplementedError& e) {
    EXPECT_STREQ(e.what(), "An MPI broadcast of over 2^31 bytes");
  }
  // Refused before MPI was called: the communicator still works.
  std::vector<float> x = {1.0f, 2.0f};
  vs::dist::CollectiveBuffer small{x.data(), 2, vs::DType::kFloat32};
  comm->allreduce(small, vs::dist::ReduceOp::kSum);
  EXPECT_EQ(x, (std::vector<float>{2.0f, 4.0f}));
}

// A buffer of several pipelined chunks (4 MiB each, the last one short), summed and
// averaged element for element.
TEST(DistMpiTest, ALargeAllreduceInChunksIsExact) {
  const int rank = vs::dist::rank();
  const std::size_t count = (std::size_t{3} << 20) + 12345;  // 12 MiB of float32 and a tail
  std::vector<float> x(count);
  for (std::size_t i = 0; i < count; ++i)
    x[i] = static_cast<float>(rank + 1 + static_cast<int>(i % 7));
  const auto comm = vs::dist::communicator();
  vs::dist::CollectiveBuffer b{x.data(), static_cast<std::int64_t>(count), vs::DType::kFloat32};
  comm->allreduce(b, vs::dist::ReduceOp::kSum);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < count; ++i)
    wrong += x[i] != static_cast<float>(3 + 2 * static_cast<int>(i % 7));  // (1 + k) + (2 + k)
  EXPECT_EQ(wrong, 0u);
  comm->allreduce(b, vs::dist::ReduceOp::kAverage);  // equal on both ranks: unchanged
  for (std::size_t i = 0; i < count; ++i)
    wrong += x[i] != static_cast<float>(3 + 2 * static_cast<int>(i % 7));
  EXPECT_EQ(wrong, 0u);
}

TEST(DistMpiTest, AnMpiErrorIsUnavailableWithMpisText) {  // E248
  std::vector<float> x = {1.0f};
  vs::dist::CollectiveBuffer b{x.data(), 1, vs::DType::kFloat32};
  try {
    vs::dist::communicator()->broadcast(b, /*root=*/7);  // not a rank of 2
    FAIL() << "no error";
  } catch (const vs::UnavailableError& e) {
    const std::string text = e.what();
    EXPECT_EQ(text.rfind("MPI_Ibcast failed: MPI_ERR_ROOT", 0), 0u) << text;
  }
  EXPECT_TRUE(identical_on_all_ranks("after a failed broadcast"));
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  varscope::dist::init();
  const int rc = RUN_ALL_TESTS();
  varscope::dist::finalize();
  return rc;
}
