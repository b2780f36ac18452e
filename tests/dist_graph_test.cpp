// varscope::dist's graph side in one process (no MPI): Horovod's node names, the inner
// optimizer's names kept, fusion into buckets, the fingerprint check, and the errors. A fake
// communicator stands in for the other ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dist/dist_model.h"
#include "varscope/dist.h"

namespace {

namespace vs = varscope;
using vs_dist_test::batch;
using vs_dist_test::build_model;

// A world of `ranks` processes that all hold this process's tensors: a sum is the value
// times `ranks`, an average the value itself. `other_fingerprint`, when set, is what the
// other ranks report for their collectives.
class FakeCommunicator final : public vs::dist::Communicator {
 public:
  explicit FakeCommunicator(int ranks, int rank = 0) : ranks_(ranks), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return ranks_; }
  int local_rank() const override { return 0; }
  std::string name() const override { return "fake"; }
  void allreduce(const vs::dist::CollectiveBuffer& b, vs::dist::ReduceOp op) override {
    ++allreduce_calls;
    elements += b.count;
    if (op == vs::dist::ReduceOp::kSum && b.dtype == vs::DType::kFloat32) {
      auto* x = static_cast<float*>(b.data);
      for (std::int64_t i = 0; i < b.count; ++i)
        x[i] *= static_cast<float>(ranks_);
    }
  }
  void broadcast(const vs::dist::CollectiveBuffer&, int) override { ++broadcast_calls; }
  std::vector<std::string> allgather(const std::string& mine) override {
    ++allgather_calls;
    std::vector<std::string> out(static_cast<std::size_t>(ranks_), mine);
    if (!other_fingerprint.empty()) out[1] = other_fingerprint;
    return out;
  }
  int allreduce_calls = 0, broadcast_calls = 0, allgather_calls = 0;
  std::int64_t elements = 0;
  std::string other_fingerprint;

 private:
  int ranks_, rank_;
};

class DistGraphTest : public ::testing::Test {
 protected:
  void TearDown() override {
    vs::dist::set_communicator(nullptr);
    vs::dist::set_fusion_threshold(vs::dist::kDefaultFusionThreshold);
  }
};

std::vector<std::string> op_names(const vs::Graph& g) {
  std::vector<std::string> names;
  for (const vs::Operation& op : g.operations())
    names.push_back(op.name());
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST_F(DistGraphTest, NormalizeNameIsHorovods) {
  EXPECT_EQ(vs::dist::normalize_name("gradients/dense/MatMul_grad/tuple/control_dependency_1:0"),
            "gradients_dense_MatMul_grad_tuple_control_dependency_1_0");
  EXPECT_EQ(vs::dist::normalize_name("a-b.c:0"), "a_b_c_0");
}

// An embedding's IndexedSlices gradient is made dense in "<name>_Allreduce/" before its
// allreduce (Horovod's sparse_as_dense=True), then applied densely.
TEST_F(DistGraphTest, SparseGradientsAreAllreducedDense) {
  vs::Graph g;
  vs::Variable table = g.get_variable("table", {.shape = vs::Shape{5, 2}});
  const vs::Tensor ids = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1, 3, 1}));
  const vs::Tensor loss = vs::reduce_sum(vs::square(vs::embedding_lookup(table, ids)));
  vs::train::GradientDescentOptimizer sgd(0.1);
  vs::dist::DistributedOptimizer opt(sgd);
  const auto grads = opt.compute_gradients(loss);
  ASSERT_EQ(grads.size(), 1u);
  EXPECT_FALSE(grads[0].first.is_indexed_slices());
  EXPECT_EQ(grads[0].first.op().type(), "HorovodAllreduce");
  ASSERT_EQ(grads[0].first.op().num_inputs(), 1);
  EXPECT_EQ(grads[0].first.op().input(0).name(),
            "DistributedGradientDescentOptimizer_Allreduce/UnsortedSegmentSum:0");
  opt.apply_gradients(grads);
  EXPECT_TRUE(has(op_names(g), "GradientDescent/update_table/ApplyGradientDescent"));
}

TEST_F(DistGraphTest, DistributedOptimizerHasHorovodsNamesAndTheInnerOnes) {
  auto m = build_model(1);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer opt(adam);
  EXPECT_EQ(opt.name(), "DistributedAdamOptimizer");
  vs::Variable step = vs::train::get_or_create_global_step(m.g);
  const auto grads = opt.compute_gradients(m.loss);
  ASSERT_EQ(grads.size(), 3u);
  EXPECT_EQ(grads[0].first.op().name(),
            "DistributedAdamOptimizer_Allreduce/cond/"
            "HorovodAllreduce_gradients_hidden_MatMul_grad_tuple_control_dependency_1_0");
  EXPECT_EQ(grads[0].first.op().type(), "HorovodAllreduce");
  EXPECT_EQ(grads[1].first.op().name(),
            "DistributedAdamOptimizer_Allreduce/cond_1/"
            "HorovodAllreduce_gradients_hidden_Add_grad_tuple_control_dependency_1_0");
  EXPECT_EQ(grads[2].first.op().name(),
            "DistributedAdamOptimizer_Allreduce/cond_2/"
            "HorovodAllreduce_gradients_out_MatMul_grad_tuple_control_dependency_1_0");
  opt.apply_gradients(grads, step);
  const auto names = op_names(m.g);
  // The inner optimizer's slots and updates: single-process TF1's names (checkpoint keys).
  for (const char* name : {"hidden/kernel/Adam", "hidden/kernel/Adam_1", "beta1_power",
                           "beta2_power", "Adam/update_hidden/kernel/ApplyAdam", "Adam"}) {
    EXPECT_TRUE(has(names, name)) << name;
  }
  EXPECT_EQ(opt.get_slot(step, "m").valid(), false);
}

// y = allreduce(x), z = y * w: the gradient reaching y is TF's "gradients/mul_grad/Mul:0".
struct CollectiveGradCase {
  vs::Graph g;
  vs::Tensor x =
      vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}), {.name = "x"});
  vs::Tensor w =
      vs::constant(g, vs::HostTensor(std::vector<float>{3, 4}, vs::Shape{2}), {.name = "w"});
};

// Horovod's _allreduce_grad: an allreduce of the incoming gradient with the op's attributes,
// named after the gradient's tensor in the op's gradient scope.
TEST_F(DistGraphTest, AllreduceGradientIsAnAllreduceOfTheGradient) {
  auto comm = std::make_shared<FakeCommunicator>(2);
  vs::dist::set_communicator(comm);
  for (const auto op : {vs::dist::ReduceOp::kSum, vs::dist::ReduceOp::kAverage}) {
    CollectiveGradCase c;
    vs::Tensor y = vs::dist::allreduce(c.x, op);
    const vs::Tensor dx = vs::gradients({y * c.w}, {c.x}).at(0);
    const vs::Operation grad = dx.op();
    EXPECT_EQ(grad.name(),
              "gradients/HorovodAllreduce_x_0_grad/HorovodAllreduce_gradients_mul_grad_Mul_0");
    EXPECT_EQ(grad.type(), "HorovodAllreduce");
    EXPECT_EQ(grad.input(0).name(), "gradients/mul_grad/Mul:0");
    EXPECT_EQ(grad.attr_int("reduce_op"), static_cast<int>(op));
    EXPECT_EQ(grad.attr_float("prescale_factor"), 1.0);
    EXPECT_EQ(grad.attr_bool("ignore_name_scope"), false);
    EXPECT_EQ(grad.attr_int("process_set_id"), 0);
    // The fake world holds this process's values on 2 ranks: a sum doubles w, a mean keeps it.
    vs::Session s(c.g);
    const vs::HostTensor v = s.run(dx);
    const float factor = op == vs::dist::ReduceOp::kSum ? 2.0f : 1.0f;
    EXPECT_EQ(v.data<float>()[0], 3.0f * factor);
    EXPECT_EQ(v.data<float>()[1], 4.0f * factor);
  }
}

// Horovod's _broadcast_grad: the gradient averaged over the ranks, kept on the root and
// multiplied by 0 elsewhere (the rank is read when the graph is built).
TEST_F(DistGraphTest, BroadcastGradientIsTheAverageOnTheRootAndZeroElsewhere) {
  for (const int rank : {0, 1}) {
    vs::dist::set_communicator(std::make_shared<FakeCommunicator>(2, rank));
    CollectiveGradCase c;
    vs::Tensor y = vs::dist::broadcast(c.x, 0);
    const vs::Tensor dx = vs::gradients({y * c.w}, {c.x}).at(0);
    const std::string scope = "gradients/HorovodBroadcast_x_0_grad/";
    const vs::Operation reduced =
        c.g.get_operation_by_name(scope + "HorovodAllreduce_gradients_mul_grad_Mul_0");
    EXPECT_EQ(reduced.attr_int("reduce_op"), static_cast<int>(vs::dist::ReduceOp::kAverage));
    EXPECT_EQ(reduced.input(0).name(), "gradients/mul_grad/Mul:0");
    vs::Session s(c.g);
    const vs::HostTensor v = s.run(dx);
    if (rank == 0) {
      EXPECT_EQ(dx.op().name(), reduced.name());
      EXPECT_EQ(v.data<float>()[1], 4.0f);
    } else {
      EXPECT_EQ(dx.op().name(), scope + "mul");
      EXPECT_EQ(dx.op().type(), "Mul");
      EXPECT_EQ(dx.op().input(0).name(), reduced.name() + ":0");
      EXPECT_EQ(dx.op().input(1).name(), scope + "mul/y:0");
      EXPECT_EQ(v.data<float>()[0], 0.0f);
      EXPECT_EQ(v.data<float>()[1], 0.0f);
    }
  }
}

TEST_F(DistGraphTest, BroadcastGradientBeforeInitIsHorovodsErrorAndChangesNothing) {
  CollectiveGradCase c;
  vs::Tensor z = vs::dist::broadcast(c.x, 0) * c.w;
  const auto before = op_names(c.g);
  try {
    vs::gradients({z}, {c.x});
    FAIL() << "no error";
  } catch (const vs::FailedPreconditionError& e) {
    EXPECT_STREQ(e.what(), "Horovod has not been initialized; use hvd.init().");
  }
  EXPECT_EQ(op_names(c.g), before);
}

TEST_F(DistGraphTest, OptimizerClassNames) {
  vs::train::GradientDescentOptimizer sgd(0.1);
  vs::train::MomentumOptimizer momentum(0.1, 0.9);
  EXPECT_EQ(vs::dist::DistributedOptimizer(sgd).name(), "DistributedGradientDescentOptimizer");
  EXPECT_EQ(vs::dist::DistributedOptimizer(momentum).name(), "DistributedMomentumOptimizer");
}

TEST_F(DistGraphTest, BroadcastGlobalVariablesCoversSlotsBetaPowersAndGlobalStep) {
  auto m = build_model(1);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer opt(adam);
  vs::Variable step = vs::train::get_or_create_global_step(m.g);
  opt.minimize(m.loss, step);
  const vs::Operation bcast = vs::dist::broadcast_global_variables(m.g, 0);
  EXPECT_EQ(bcast.name(), "group_deps");
  const auto names = op_names(m.g);
  for (const char* name :
       {"HorovodBroadcast_hidden_kernel_0", "HorovodBroadcast_global_step_0",
        "HorovodBroadcast_hidden_kernel_Adam_0", "HorovodBroadcast_hidden_kernel_Adam_1_0",
        "HorovodBroadcast_beta1_power_0", "HorovodBroadcast_beta2_power_0", "Assign"}) {
    EXPECT_TRUE(has(names, name)) << name;
  }
  // one broadcast per global variable
  const auto count = std::count_if(names.begin(), names.end(), [](const std::string& n) {
    return n.rfind("HorovodBroadcast_", 0) == 0;
  });
  EXPECT_EQ(static_cast<std::size_t>(count), m.g.global_variables().size());
}

TEST_F(DistGraphTest, WithoutInitTheKernelRefusesWithHorovodsText) {
  auto m = build_model(1);
  vs::Tensor r = vs::dist::allreduce(m.loss);
  EXPECT_EQ(r.op().name(), "HorovodAllreduce_out_Mean_0");
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  try {
    s.run(r, batch(m, 0, 4));
    FAIL() << "no error";
  } catch (const vs::FailedPreconditionError& e) {
    EXPECT_STREQ(e.what(), "Horovod has not been initialized; use hvd.init().");
  }
}

TEST_F(DistGraphTest, AllreduceDtypeIsCheckedAsTfChecksIt) {
  vs::Graph g;
  vs::Tensor b = vs::constant(g, vs::HostTensor::scalar(true));
  const auto before = op_names(g);
  EXPECT_THROW(vs::dist::allreduce(b), vs::TypeError);
  EXPECT_EQ(op_names(g), before);
  vs::Tensor f = vs::constant(g, vs::HostTensor::scalar(1.0f));
  const auto with_f = op_names(g);
  EXPECT_THROW(vs::dist::broadcast(f, -1), vs::ValueError);
  EXPECT_EQ(op_names(g), with_f);
}

// Trains `steps` Adam steps on rows [0, 8) with `threshold`, returning the variables.
std::vector<vs::HostTensor> train(FakeCommunicator& comm, std::size_t threshold, bool dist) {
  vs::dist::set_fusion_threshold(threshold);
  auto m = build_model(3);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer opt(adam);
  vs::Variable step = vs::train::get_or_create_global_step(m.g);
  vs::Operation train_op = dist ? opt.minimize(m.loss, step) : adam.minimize(m.loss, step);
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  for (int i = 0; i < 5; ++i)
    s.run(train_op, batch(m, 0, 8));
  std::vector<vs::HostTensor> out;
  for (const vs::Variable& v : m.g.global_variables())
    out.push_back(s.run(v));
  (void)comm;
  return out;
}

TEST_F(DistGraphTest, GradientsAreFusedIntoBucketsAtPlanTime) {
  auto comm = std::make_shared<FakeCommunicator>(2);
  vs::dist::set_communicator(comm);
  const auto plain = train(*comm, vs::dist::kDefaultFusionThreshold, false);
  EXPECT_EQ(comm->allreduce_calls, 0);
  const auto fused = train(*comm, vs::dist::kDefaultFusionThreshold, true);
  EXPECT_EQ(comm->allreduce_calls, 5);  // one bucket per step: 4*8 + 8 + 8 floats
  EXPECT_EQ(comm->elements, 5 * (32 + 8 + 8));
  EXPECT_EQ(comm->allgather_calls, 1);  // the fingerprint, on the plan's first run only
  comm->allreduce_calls = 0;
  const auto unfused = train(*comm, 0, true);
  EXPECT_EQ(comm->allreduce_calls, 15);  // threshold 0: one call per gradient
  comm->allreduce_calls = 0;
  train(*comm, 40 * 4, true);  // 32 + 8 floats fit; the last 8 do not
  EXPECT_EQ(comm->allreduce_calls, 10);
  ASSERT_EQ(plain.size(), fused.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    // identical ranks: the average is the gradient itself, bit for bit
    EXPECT_EQ(std::memcmp(plain[i].raw_data(), fused[i].raw_data(), plain[i].nbytes()), 0) << i;
    EXPECT_EQ(std::memcmp(fused[i].raw_data(), unfused[i].raw_data(), fused[i].nbytes()), 0) << i;
  }
}

TEST_F(DistGraphTest, SumReducesWithoutAveraging) {
  auto comm = std::make_shared<FakeCommunicator>(2);
  vs::dist::set_communicator(comm);
  vs::Graph g;
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3}, vs::Shape{3}));
  vs::Tensor sum = vs::dist::allreduce(c, vs::dist::ReduceOp::kSum);
  vs::Tensor avg = vs::dist::allreduce(c);
  EXPECT_EQ(avg.op().name(), "HorovodAllreduce_Const_0_1");
  vs::Session s(g);
  const auto out = s.run({sum, avg});
  EXPECT_EQ(out[0].data<float>()[2], 6.0f);
  EXPECT_EQ(out[1].data<float>()[2], 3.0f);
}

TEST_F(DistGraphTest, MismatchedCollectivesAreAnErrorNamingEachRanksOp) {
  auto comm = std::make_shared<FakeCommunicator>(2);
  comm->other_fingerprint = "HorovodAllreduce_other_0 float32 [3]\n";
  vs::dist::set_communicator(comm);
  vs::Graph g;
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3}, vs::Shape{3}));
  vs::Tensor r = vs::dist::allreduce(c);
  vs::Session s(g);
  try {
    s.run(r);
    FAIL() << "no error";
  } catch (const vs::FailedPreconditionError& e) {
    EXPECT_STREQ(e.what(),
                 "Collective ops differ across ranks at collective #0 of this run: rank 0: "
                 "HorovodAllreduce_Const_0 float32 [3]; rank 1: HorovodAllreduce_other_0 "
                 "float32 [3]");
  }
  EXPECT_EQ(comm->allreduce_calls, 0);  // refused before any tensor moved
}

TEST_F(DistGraphTest, BroadcastFromARankPastTheWorldIsRefusedAtRunTime) {
  auto comm = std::make_shared<FakeCommunicator>(2);
  vs::dist::set_communicator(comm);
  vs::Graph g;
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}));
  vs::Tensor b = vs::dist::broadcast(c, 2);
  vs::Session s(g);
  try {
    s.run(b);
    FAIL() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_STREQ(e.what(), "root_rank 2 of HorovodBroadcast_Const_0 is not a rank: there are 2");
  }
  EXPECT_EQ(comm->broadcast_calls, 0);
  EXPECT_EQ(s.run(vs::dist::broadcast(c, 1)).data<float>()[1], 2.0f);
  EXPECT_EQ(comm->broadcast_calls, 1);
}

// Horovod's nodes go to a GraphDef with Horovod's attributes, and come back from it.
TEST_F(DistGraphTest, CollectivesRoundTripThroughAGraphDef) {
  vs::Graph g;
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}));
  vs::dist::allreduce(c, vs::dist::ReduceOp::kSum);
  vs::dist::broadcast(c, 1);
  const std::string path = vs::write_graph(g, ::testing::TempDir(), "dist.pbtxt");
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const char* attr : {"reduce_op", "prescale_factor", "postscale_factor", "ignore_name_scope",
                           "process_set_id", "root_rank"}) {
    EXPECT_NE(text.find(attr), std::string::npos) << attr;
  }
  vs::Graph back;
  vs::import_graph_def(back, vs::graph_def_bytes(g));
  const auto names = op_names(back);
  EXPECT_TRUE(has(names, "import/HorovodAllreduce_Const_0")) << ::testing::PrintToString(names);
  EXPECT_TRUE(has(names, "import/HorovodBroadcast_Const_0"));
  EXPECT_EQ(back.get_operation_by_name("import/HorovodAllreduce_Const_0").type(),
            "HorovodAllreduce");
}

}  // namespace
