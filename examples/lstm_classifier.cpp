// A sequence classifier from TF1's RNN cells (issue 25): an embedding (vs::embedding_lookup)
// of 5-token sequences, a 2-layer BasicLSTMCell MultiRNNCell unrolled by static_rnn, a dense
// layer on the last output, sparse softmax cross-entropy and Adam, on synthetic sequences
// whose class says whether token 7 occurs in them. Prints the global variables in creation
// order (TF1's names: rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel, their Adam slots),
// the loss every 10 steps, then the loss before and after training.
// With a directory argument it also writes a TensorBoard log there (the graph, and the "loss"
// summary op's value every 10 steps): tensorboard --logdir <directory>.
#include <varscope/varscope.h>

#include <memory>
#include <random>
#include <vector>

#include "training_loop.h"

namespace vs = varscope;
namespace rnn = vs::nn::rnn_cell;

namespace {

constexpr std::int64_t kVocab = 10;
constexpr std::int64_t kSteps = 5;
constexpr std::int64_t kClasses = 2;
constexpr std::int32_t kMarker = 7;

// [batch, 5] token ids, half of the sequences holding the marker token, and their labels.
void make_batch(std::int64_t batch,
                std::vector<std::int32_t>& ids,
                std::vector<std::int32_t>& labels) {
  std::mt19937 rng(25);
  std::uniform_int_distribution<std::int32_t> token(0, kVocab - 2), place(0, kSteps - 1);
  ids.resize(static_cast<std::size_t>(batch * kSteps));
  labels.resize(static_cast<std::size_t>(batch));
  for (std::int64_t i = 0; i < batch; ++i) {
    std::int32_t* seq = ids.data() + i * kSteps;
    for (std::int64_t t = 0; t < kSteps; ++t) {
      const std::int32_t v = token(rng);
      seq[t] = v >= kMarker ? v + 1 : v;  // never the marker (0..9 without 7)
    }
    const bool marked = i % 2 == 0;
    if (marked) seq[place(rng)] = kMarker;
    labels[static_cast<std::size_t>(i)] = marked ? 1 : 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::int64_t kBatch = 32, kEmbedding = 8, kUnits = 16;
  constexpr int kTrainSteps = 60;
  vs::Graph g;
  g.set_random_seed(25);
  const vs::Tensor ids =
      vs::placeholder(g, vs::DType::kInt32, vs::Shape{vs::kUnknownDim, kSteps}, "ids");
  const vs::Tensor labels =
      vs::placeholder(g, vs::DType::kInt32, vs::Shape{vs::kUnknownDim}, "labels");
  const vs::Variable embedding =
      g.get_variable("embedding", {.shape = vs::Shape{kVocab, kEmbedding}});
  const std::vector<vs::Tensor> inputs =
      vs::unstack(vs::embedding_lookup(embedding, ids), kSteps, 1);
  rnn::MultiRNNCell cell(
      {std::make_shared<rnn::BasicLSTMCell>(kUnits), std::make_shared<rnn::BasicLSTMCell>(kUnits)});
  const vs::nn::RnnOutputs rnn_out =
      vs::nn::static_rnn(cell, inputs, {.dtype = vs::DType::kFloat32});
  const vs::Tensor logits = vs::layers::dense(rnn_out.outputs.back(), kClasses);
  const examples::Training training = examples::classifier_training(g, labels, logits, 0.01);
  examples::print_global_variables(g);

  std::vector<std::int32_t> tokens, classes;
  make_batch(kBatch, tokens, classes);
  const vs::FeedDict feeds{{ids, vs::HostTensor(tokens, vs::Shape{kBatch, kSteps})},
                           {labels, vs::HostTensor(classes, vs::Shape{kBatch})}};
  return examples::train_printing_loss(g, training, feeds, kTrainSteps, 10,
                                       argc > 1 ? argv[1] : nullptr);
}
