// The training examples run as a user runs them: the first line lists TF1's global
// variables in creation order (Adam's slots included), the last reports a loss that went
// down, and the example exits with 0. Given a directory, each writes a TensorBoard log there
// through the summary ops, read back here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "command_output.h"
#include "event_file.h"

namespace {

using varscope::testing::run_command;

// The loss pair of the last line, "loss: <first> -> <last>"; false when the line is another.
bool read_losses(const std::string& line, double& first, double& last) {
  return line.starts_with("loss: ") &&
         std::sscanf(line.c_str(), "loss: %lf -> %lf", &first, &last) == 2;
}

void expect_names_and_learning(const char* exe, const std::string& globals, double factor) {
  const auto run = run_command(std::string("VARSCOPE_DEVICE=cpu ") + exe);
  EXPECT_EQ(run.exit_code, 0) << run.text;
  const auto lines = run.lines();
  ASSERT_GE(lines.size(), 2u) << run.text;
  EXPECT_EQ(lines.front(), "global: " + globals);
  double first = 0, last = 0;
  ASSERT_TRUE(read_losses(lines.back(), first, last)) << lines.back();
  EXPECT_LT(last, first * factor) << lines.back();
}

TEST(TrainingExamples, TwoTowerPrintsTfNamesAndLearns) {
  expect_names_and_learning(
      VARSCOPE_TWO_TOWER_TRAIN_EXE,
      "tower/dense1/kernel:0 tower/dense1/bias:0 tower/dense2/kernel:0 tower/dense2/bias:0 "
      "global_step:0 beta1_power:0 beta2_power:0 tower/dense1/kernel/Adam:0 "
      "tower/dense1/kernel/Adam_1:0 tower/dense1/bias/Adam:0 tower/dense1/bias/Adam_1:0 "
      "tower/dense2/kernel/Adam:0 tower/dense2/kernel/Adam_1:0 tower/dense2/bias/Adam:0 "
      "tower/dense2/bias/Adam_1:0",
      0.5);
}

TEST(TrainingExamples, CnnPrintsTfLayerNamesAndLearns) {
  expect_names_and_learning(
      VARSCOPE_CNN_TRAIN_EXE,
      "conv2d/kernel:0 conv2d/bias:0 conv2d_1/kernel:0 conv2d_1/bias:0 dense/kernel:0 "
      "dense/bias:0 dense_1/kernel:0 dense_1/bias:0 global_step:0 beta1_power:0 "
      "beta2_power:0 conv2d/kernel/Adam:0 conv2d/kernel/Adam_1:0 conv2d/bias/Adam:0 "
      "conv2d/bias/Adam_1:0 conv2d_1/kernel/Adam:0 conv2d_1/kernel/Adam_1:0 "
      "conv2d_1/bias/Adam:0 conv2d_1/bias/Adam_1:0 dense/kernel/Adam:0 dense/kernel/Adam_1:0 "
      "dense/bias/Adam:0 dense/bias/Adam_1:0 dense_1/kernel/Adam:0 dense_1/kernel/Adam_1:0 "
      "dense_1/bias/Adam:0 dense_1/bias/Adam_1:0",
      0.5);
}

TEST(TrainingExamples, LstmClassifierPrintsTfRnnNamesAndLearns) {
  const std::string cell0 = "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/";
  const std::string cell1 = "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/";
  std::string globals = "embedding:0 ";
  for (const std::string& cell : {cell0, cell1})
    globals += cell + "kernel:0 " + cell + "bias:0 ";
  globals += "dense/kernel:0 dense/bias:0 global_step:0 beta1_power:0 beta2_power:0 ";
  for (const std::string& var :
       {std::string("embedding"), cell0 + "kernel", cell0 + "bias", cell1 + "kernel",
        cell1 + "bias", std::string("dense/kernel"), std::string("dense/bias")})
    globals += var + "/Adam:0 " + var + "/Adam_1:0 ";
  globals.pop_back();
  expect_names_and_learning(VARSCOPE_LSTM_CLASSIFIER_EXE, globals, 0.5);
}

// The example run with a log directory: one event file holding the version, the graph, and the
// summaries at `steps`, each with exactly `tags`.
void expect_log(const char* exe,
                const std::string& name,
                const std::vector<std::int64_t>& steps,
                const std::set<std::string>& tags) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / (name + "_log_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto run = run_command(std::string("VARSCOPE_DEVICE=cpu ") + exe + " " + dir.string());
  ASSERT_EQ(run.exit_code, 0) << run.text;
  const std::vector<fs::path> files = varscope::testing::event_files(dir);
  ASSERT_EQ(files.size(), 1u);
  const auto events = varscope::testing::read_events(files[0]);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_FALSE(events[1].graph_def().empty());
  std::vector<std::int64_t> got_steps;
  for (std::size_t i = 2; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].has_summary()) << i;
    got_steps.push_back(events[i].step());
    std::set<std::string> got_tags;
    for (const auto& v : events[i].summary().value())
      got_tags.insert(v.tag());
    EXPECT_EQ(got_tags, tags) << "step " << events[i].step();
  }
  EXPECT_EQ(got_steps, steps);
  fs::remove_all(dir);
}

std::vector<std::int64_t> every(std::int64_t n, std::int64_t until) {
  std::vector<std::int64_t> out;
  for (std::int64_t s = 0; s < until; s += n)
    out.push_back(s);
  return out;
}

TEST(TrainingExamples, TwoTowerWritesALogThroughTheSummaryOps) {
  expect_log(VARSCOPE_TWO_TOWER_TRAIN_EXE, "two_tower", every(10, 301), {"loss", "dense1/kernel"});
}

TEST(TrainingExamples, CnnWritesALogThroughTheSummaryOps) {
  expect_log(VARSCOPE_CNN_TRAIN_EXE, "cnn", every(5, 40), {"loss"});
}

TEST(TrainingExamples, LstmClassifierWritesALogThroughTheSummaryOps) {
  expect_log(VARSCOPE_LSTM_CLASSIFIER_EXE, "lstm", every(10, 60), {"loss"});
}

}  // namespace
