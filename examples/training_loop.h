// What the training examples (cnn_train, lstm_classifier, two_tower_train) print around their
// training, and the set-up and loop of the two classifiers, which print the loss as they go.
#pragma once

#include <varscope/varscope.h>

namespace examples {

// "global: <name> <name> ...": the global variables in creation order (TF1's names).
void print_global_variables(const varscope::Graph& g);

// The last two lines: the session's device and the global step, then
// "loss: <first> -> <last>". Returns the exit status: 0 when the loss went down.
int report_training(varscope::Session& sess,
                    const varscope::Variable& global_step,
                    double first,
                    double last);

struct Training {
  varscope::Tensor loss;
  varscope::Operation train_op;
  varscope::Variable global_step;
  varscope::Tensor summaries;  // merged summary ops
};
// A classifier's training: the mean sparse softmax cross-entropy of `logits` against
// `labels`, minimized by Adam with the global step, and a scalar summary "loss".
Training classifier_training(varscope::Graph& g,
                             const varscope::Tensor& labels,
                             const varscope::Tensor& logits,
                             double learning_rate);

// Initializes the variables and runs `steps` train steps on `feeds`; before every
// print_every-th step prints "step <n>: <loss>" and, given a log directory, writes the
// summaries to a TensorBoard log there. Then report_training().
int train_printing_loss(varscope::Graph& g,
                        const Training& training,
                        const varscope::FeedDict& feeds,
                        int steps,
                        int print_every,
                        const char* log_dir);

}  // namespace examples
