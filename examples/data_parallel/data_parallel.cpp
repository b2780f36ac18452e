// Data-parallel training (issue 27) with Horovod's TF1 recipe: hvd.init(), the two-tower
// model of two_tower_train, DistributedOptimizer(Adam), broadcast_global_variables(0), each
// rank on its slice of the global batch, rank 0 saving one checkpoint. Run:
//   mpirun -np 2 ./build/release/examples/data_parallel [checkpoint directory]
#include <varscope/dist.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace vs = varscope;

namespace {

vs::Tensor dense(
    vs::Graph& g, const vs::Tensor& x, std::int64_t units, bool relu, const char* name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(x.shape().rank() - 1);
  vs::Variable kernel = g.get_variable("kernel", {.shape = vs::Shape{in, units}});
  vs::Variable bias =
      g.get_variable("bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  vs::Tensor out = vs::bias_add(vs::matmul(x, kernel), bias);
  return relu ? vs::relu(out) : out;
}

vs::Tensor tower(vs::Graph& g, const vs::Tensor& x) {
  auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
  return dense(g, dense(g, x, 16, /*relu=*/true, "dense1"), 1, /*relu=*/false, "dense2");
}

// Rows [first, first + count) of a synthetic global batch: y = |w.xa| - |w.xb|.
vs::FeedDict rows(const vs::Tensor& xa,
                  const vs::Tensor& xb,
                  const vs::Tensor& y,
                  std::int64_t global,
                  std::int64_t first,
                  std::int64_t count) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> w(8), a(global * 8), b(global * 8), target(global);
  for (float& v : w)
    v = normal(rng);
  for (float& v : a)
    v = normal(rng);
  for (float& v : b)
    v = normal(rng);
  for (std::int64_t i = 0; i < global; ++i) {
    float fa = 0.0f, fb = 0.0f;
    for (int j = 0; j < 8; ++j) {
      fa += w[j] * a[i * 8 + j];
      fb += w[j] * b[i * 8 + j];
    }
    target[i] = std::abs(fa) - std::abs(fb);
  }
  auto slice = [&](const std::vector<float>& v, std::int64_t width) {
    return std::vector<float>(v.begin() + first * width, v.begin() + (first + count) * width);
  };
  return {{xa, vs::HostTensor(slice(a, 8), vs::Shape{count, 8})},
          {xb, vs::HostTensor(slice(b, 8), vs::Shape{count, 8})},
          {y, vs::HostTensor(slice(target, 1), vs::Shape{count, 1})}};
}

}  // namespace

int main(int argc, char** argv) try {
  constexpr std::int64_t kGlobalBatch = 64;
  constexpr int kSteps = 300;
  vs::dist::init();
  const int rank = vs::dist::rank(), size = vs::dist::size();
  if (kGlobalBatch % size != 0) throw vs::InvalidArgumentError("64 rows do not split evenly");

  vs::Graph g;
  g.set_random_seed(18 + rank);  // each rank starts elsewhere: the broadcast makes them agree
  const vs::Shape shape{vs::kUnknownDim, 8};
  vs::Tensor xa = vs::placeholder(g, vs::DType::kFloat32, shape, "xa");
  vs::Tensor xb = vs::placeholder(g, vs::DType::kFloat32, shape, "xb");
  vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  vs::Tensor loss = vs::reduce_mean(vs::square(tower(g, xa) - tower(g, xb) - y));
  vs::Variable global_step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer optimizer(adam);
  vs::Operation train_op = optimizer.minimize(loss, global_step);
  vs::Operation broadcast = vs::dist::broadcast_global_variables(g, 0);

  const std::int64_t per_rank = kGlobalBatch / size;
  const vs::FeedDict mine = rows(xa, xb, y, kGlobalBatch, rank * per_rank, per_rank);
  const vs::FeedDict everything = rows(xa, xb, y, kGlobalBatch, 0, kGlobalBatch);

  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  sess.run(broadcast);
  const double first = sess.run(loss, everything).element_as_double(0);
  for (int step = 0; step < kSteps; ++step)
    sess.run({}, mine, {train_op});
  const double last = sess.run(loss, everything).element_as_double(0);

  // Every global variable (slots, beta powers and the global step too), bit for bit.
  std::string bytes;
  for (const vs::Variable& v : g.global_variables()) {
    const vs::HostTensor t = sess.run(v);
    bytes.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  }
  const auto all = vs::dist::communicator()->allgather(bytes);
  const bool identical =
      std::all_of(all.begin(), all.end(), [&](const std::string& b) { return b == bytes; });
  if (rank == 0) {
    std::cout << "ranks: " << size << '\n';
    std::cout << "variables identical on all ranks: " << (identical ? "yes" : "no") << '\n';
    std::cout << "loss: " << first << " -> " << last << '\n';
    const std::string dir = argc > 1 ? argv[1] : "data_parallel_checkpoint";
    vs::Saver saver(g);
    const std::int64_t steps = sess.run(global_step).data<std::int64_t>()[0];
    std::cout << "checkpoint: " << saver.save(sess, dir + "/model.ckpt", {.global_step = steps})
              << '\n';
  }
  vs::dist::finalize();
  return identical && last < first ? 0 : 1;
} catch (const vs::Error& e) {
  std::cerr << "data_parallel: " << e.what() << '\n';
  return 1;
}
