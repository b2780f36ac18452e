// Training shared weights (issue 18): two towers share "tower/dense1" and "tower/dense2"
// through variable_scope("tower", reuse=AUTO_REUSE); Adam minimizes
// mean((tower(xa) - tower(xb) - y)^2) on synthetic data. Prints the global variables in
// creation order (TF1's names and order), then the loss before and after training.
// With a directory argument it also writes a TensorBoard log there (the graph, and every 10
// steps the summary ops' values: the loss and a histogram of the first layer's kernel):
// tensorboard --logdir <directory>.
#include <varscope/varscope.h>

#include <optional>

#include "training_loop.h"
#include "two_tower_model.h"

namespace vs = varscope;

int main(int argc, char** argv) {
  constexpr std::int64_t kBatch = 64;
  constexpr int kSteps = 300;
  vs::Graph g;
  g.set_random_seed(18);
  const examples::TwoTowerRegression model = examples::two_tower_regression(g);
  vs::Variable global_step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer optimizer(0.01);
  vs::Operation train_op = optimizer.minimize(model.loss, global_step);
  vs::summary::scalar("loss", model.loss);
  vs::summary::histogram("dense1/kernel", g.get_tensor_by_name("tower/dense1/kernel/read:0"));
  const vs::Tensor summaries = *vs::summary::merge_all(g);

  examples::print_global_variables(g);

  const vs::FeedDict feeds = examples::two_tower_regression_rows(model, kBatch, 0, kBatch);
  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  std::optional<vs::summary::FileWriter> log;
  if (argc > 1) log.emplace(argv[1], g);
  const double first = sess.run(model.loss, feeds).element_as_double(0);
  // The log also holds the summaries after the last step (step kSteps).
  for (int step = 0; step <= kSteps; ++step) {
    if (log && step % 10 == 0) log->add_summary(sess.run(summaries, feeds), step);
    if (step < kSteps) sess.run({}, feeds, {train_op});
  }
  if (log) log->close();
  const double last = sess.run(model.loss, feeds).element_as_double(0);
  return examples::report_training(sess, global_step, first, last);
}
