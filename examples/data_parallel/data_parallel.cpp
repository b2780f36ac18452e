// Data-parallel training (issue 27) with Horovod's TF1 recipe: hvd.init(), the two-tower
// model of two_tower_train, DistributedOptimizer(Adam), broadcast_global_variables(0), each
// rank on its slice of the global batch, rank 0 saving one checkpoint. Run:
//   mpirun -np 2 ./build/release/examples/data_parallel [checkpoint directory]
#include <varscope/dist.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <iostream>
#include <string>

#include "two_tower_model.h"

namespace vs = varscope;

int main(int argc, char** argv) try {
  constexpr std::int64_t kGlobalBatch = 64;
  constexpr int kSteps = 300;
  vs::dist::init();
  const int rank = vs::dist::rank(), size = vs::dist::size();
  if (kGlobalBatch % size != 0) throw vs::InvalidArgumentError("64 rows do not split evenly");

  vs::Graph g;
  g.set_random_seed(18 + rank);  // each rank starts elsewhere: the broadcast makes them agree
  const examples::TwoTowerRegression model = examples::two_tower_regression(g);
  vs::Variable global_step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer adam(0.01);
  vs::dist::DistributedOptimizer optimizer(adam);
  vs::Operation train_op = optimizer.minimize(model.loss, global_step);
  vs::Operation broadcast = vs::dist::broadcast_global_variables(g, 0);

  const std::int64_t per_rank = kGlobalBatch / size;
  const vs::FeedDict mine =
      examples::two_tower_regression_rows(model, kGlobalBatch, rank * per_rank, per_rank);
  const vs::FeedDict everything =
      examples::two_tower_regression_rows(model, kGlobalBatch, 0, kGlobalBatch);

  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  sess.run(broadcast);
  const double first = sess.run(model.loss, everything).element_as_double(0);
  for (int step = 0; step < kSteps; ++step)
    sess.run({}, mine, {train_op});
  const double last = sess.run(model.loss, everything).element_as_double(0);

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
