#include "training_loop.h"

#include <iostream>
#include <optional>
#include <vector>

namespace vs = varscope;

namespace examples {

void print_global_variables(const vs::Graph& g) {
  std::cout << "global:";
  for (const vs::Variable& v : g.global_variables())
    std::cout << ' ' << v.name();
  std::cout << '\n';
}

int report_training(vs::Session& sess, const vs::Variable& global_step, double first, double last) {
  std::cout << "session on " << sess.device_description() << ", "
            << sess.run(global_step).element_as_double(0) << " steps\n";
  std::cout << "loss: " << first << " -> " << last << '\n';
  return last < first ? 0 : 1;
}

Training classifier_training(vs::Graph& g,
                             const vs::Tensor& labels,
                             const vs::Tensor& logits,
                             double learning_rate) {
  Training t;
  t.loss = vs::reduce_mean(vs::sparse_softmax_cross_entropy_with_logits(labels, logits));
  t.global_step = vs::train::get_or_create_global_step(g);
  vs::train::AdamOptimizer optimizer(learning_rate);
  t.train_op = optimizer.minimize(t.loss, t.global_step);
  vs::summary::scalar("loss", t.loss);
  t.summaries = *vs::summary::merge_all(g);
  return t;
}

int train_printing_loss(vs::Graph& g,
                        const Training& training,
                        const vs::FeedDict& feeds,
                        int steps,
                        int print_every,
                        const char* log_dir) {
  vs::Session sess(g);
  sess.run(g.global_variables_initializer());
  std::optional<vs::summary::FileWriter> log;
  if (log_dir != nullptr) log.emplace(log_dir, g);
  const double first = sess.run(training.loss, feeds).element_as_double(0);
  for (int step = 0; step < steps; ++step) {
    if (step % print_every == 0) {
      const std::vector<vs::HostTensor> now = sess.run({training.loss, training.summaries}, feeds);
      std::cout << "step " << step << ": " << now[0].element_as_double(0) << '\n';
      if (log) log->add_summary(now[1], step);
    }
    sess.run({}, feeds, {training.train_op});
  }
  if (log) log->close();
  const double last = sess.run(training.loss, feeds).element_as_double(0);
  return report_training(sess, training.global_step, first, last);
}

}  // namespace examples
