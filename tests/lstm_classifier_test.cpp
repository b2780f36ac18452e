// examples/lstm_classifier (issue 25): its first line lists the embedding, the RNN cells'
// and the dense layer's variables and their Adam slots by TF1's names in creation order, its
// last line reports a loss that went down.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

TEST(LstmClassifierExample, PrintsTfRnnNamesAndTheLossDecreases) {
  std::string out;
  {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(
        popen("VARSCOPE_DEVICE=cpu " VARSCOPE_LSTM_CLASSIFIER_EXE, "r"), pclose);
    ASSERT_TRUE(pipe);
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), static_cast<int>(buf.size()), pipe.get()) != nullptr)
      out += buf.data();
  }
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  ASSERT_GE(lines.size(), 2u) << out;
  const std::string cell0 = "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/";
  const std::string cell1 = "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/";
  EXPECT_EQ(lines.front(),
            "global: embedding:0 " + cell0 + "kernel:0 " + cell0 + "bias:0 " + cell1 + "kernel:0 " +
                cell1 +
                "bias:0 dense/kernel:0 dense/bias:0 global_step:0 beta1_power:0 "
                "beta2_power:0 embedding/Adam:0 embedding/Adam_1:0 " +
                cell0 + "kernel/Adam:0 " + cell0 + "kernel/Adam_1:0 " + cell0 + "bias/Adam:0 " +
                cell0 + "bias/Adam_1:0 " + cell1 + "kernel/Adam:0 " + cell1 + "kernel/Adam_1:0 " +
                cell1 + "bias/Adam:0 " + cell1 +
                "bias/Adam_1:0 dense/kernel/Adam:0 dense/kernel/Adam_1:0 dense/bias/Adam:0 "
                "dense/bias/Adam_1:0");
  const std::string& last = lines.back();
  ASSERT_TRUE(last.starts_with("loss: ")) << last;
  double first = 0, final_loss = 0;
  ASSERT_EQ(std::sscanf(last.c_str(), "loss: %lf -> %lf", &first, &final_loss), 2) << last;
  EXPECT_LT(final_loss, first * 0.5) << last;
}
