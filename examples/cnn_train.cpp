// A small MNIST-style CNN built from tf.layers (issue 25): conv2d -> max_pooling2d -> conv2d
// -> max_pooling2d -> flatten -> dense -> dense, sparse softmax cross-entropy, Adam, on
// synthetic 12x12 images whose class is the quadrant holding a bright square. Prints the
// global variables in creation order (TF1's names: conv2d/kernel, dense_1/bias, their Adam
// slots), the loss every 5 steps, then the loss before and after training.
// With a directory argument it also writes a TensorBoard log there (the graph, and the "loss"
// summary op's value every 5 steps): tensorboard --logdir <directory>.
#include <varscope/varscope.h>

#include <random>
#include <vector>

#include "training_loop.h"

namespace vs = varscope;
namespace layers = vs::layers;

namespace {

constexpr std::int64_t kSide = 12;
constexpr std::int64_t kClasses = 4;

// [batch, 12, 12, 1] images of noise with a 3x3 square of 1s in the quadrant of the label.
void make_batch(std::int64_t batch, std::vector<float>& images, std::vector<std::int32_t>& labels) {
  std::mt19937 rng(25);
  std::uniform_real_distribution<float> noise(0.0f, 0.3f);
  std::uniform_int_distribution<int> label(0, kClasses - 1), offset(0, kSide / 2 - 3);
  images.assign(static_cast<std::size_t>(batch * kSide * kSide), 0.0f);
  labels.resize(static_cast<std::size_t>(batch));
  for (std::int64_t i = 0; i < batch; ++i) {
    float* image = images.data() + i * kSide * kSide;
    for (std::int64_t p = 0; p < kSide * kSide; ++p)
      image[p] = noise(rng);
    const int c = label(rng);
    labels[static_cast<std::size_t>(i)] = c;
    const std::int64_t top = (c / 2) * kSide / 2 + offset(rng);
    const std::int64_t left = (c % 2) * kSide / 2 + offset(rng);
    for (std::int64_t r = top; r < top + 3; ++r)
      for (std::int64_t col = left; col < left + 3; ++col)
        image[r * kSide + col] = 1.0f;
  }
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::int64_t kBatch = 32;
  constexpr int kSteps = 40;
  vs::Graph g;
  g.set_random_seed(25);
  const vs::Tensor images = vs::placeholder(g, vs::DType::kFloat32,
                                            vs::Shape{vs::kUnknownDim, kSide, kSide, 1}, "images");
  const vs::Tensor labels =
      vs::placeholder(g, vs::DType::kInt32, vs::Shape{vs::kUnknownDim}, "labels");
  vs::Tensor net = layers::conv2d(images, 8, 3, {.padding = "same", .activation = vs::relu});
  net = layers::max_pooling2d(net, 2, 2);
  net = layers::conv2d(net, 16, 3, {.padding = "same", .activation = vs::relu});
  net = layers::max_pooling2d(net, 2, 2);
  net = layers::flatten(net);
  net = layers::dense(net, 32, {.activation = vs::relu});
  const vs::Tensor logits = layers::dense(net, kClasses);
  const examples::Training training = examples::classifier_training(g, labels, logits, 0.001);
  examples::print_global_variables(g);

  std::vector<float> pixels;
  std::vector<std::int32_t> classes;
  make_batch(kBatch, pixels, classes);
  const vs::FeedDict feeds{{images, vs::HostTensor(pixels, vs::Shape{kBatch, kSide, kSide, 1})},
                           {labels, vs::HostTensor(classes, vs::Shape{kBatch})}};
  return examples::train_printing_loss(g, training, feeds, kSteps, 5, argc > 1 ? argv[1] : nullptr);
}
