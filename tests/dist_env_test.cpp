// dist::init() against the launcher's environment (E246, E247): each case starts
// dist_env_check in child processes, under mpirun or alone (MPI's singleton, as torchrun
// would start it), with the variables set for the child only.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "command_output.h"

namespace {

using varscope::testing::run_command;

// The children's lines, sorted by process.
std::vector<std::string> run_check(const std::string& launcher, const std::string& args = "") {
  auto out = run_command(launcher + " " VARSCOPE_DIST_ENV_CHECK " " + args + " 2>&1");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  std::vector<std::string> lines;
  for (const std::string& line : out.lines())
    if (line.rfind("process ", 0) == 0) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string mpirun(const std::string& exports) {
  return VARSCOPE_MPIEXEC " --allow-run-as-root --oversubscribe -np 2 " + exports;
}

const std::string kAdvice = ": start the processes with mpirun (varscope's transport is MPI)";

TEST(DistEnvTest, MpirunAloneGivesMpisWorld) {
  EXPECT_EQ(run_check(mpirun("")),
            (std::vector<std::string>{"process 0: ok 0/2 local 0; MPI started",
                                      "process 1: ok 1/2 local 1; MPI started"}));
}

TEST(DistEnvTest, AgreeingTorchrunVariablesAreAccepted) {
  // What torchrun would export when it and mpirun agree (one node, so LOCAL_RANK = RANK).
  EXPECT_EQ(run_check("env WORLD_SIZE=1 RANK=0 LOCAL_RANK=0"),
            (std::vector<std::string>{"process 0: ok 0/1 local 0; MPI started"}));
}

TEST(DistEnvTest, TorchrunWithoutMpirunIsUnavailable) {  // E246
  // torchrun's second process, started without mpirun: MPI sees a world of one.
  EXPECT_EQ(run_check("env RANK=1 WORLD_SIZE=2 LOCAL_RANK=1"),
            (std::vector<std::string>{"process 0: UNAVAILABLE: RANK/WORLD_SIZE (1/2) disagree "
                                      "with MPI's rank 0 of 1" +
                                      kAdvice + " (initialized: no); MPI started"}));
}

TEST(DistEnvTest, OneRankDisagreeingFailsEveryRankInsteadOfHanging) {  // E246
  // RANK=1 is rank 1's own: only rank 0 disagrees, yet rank 1 must not wait in a collective
  // for it. Every process finalizes MPI at exit, so mpirun exits cleanly.
  EXPECT_EQ(
      run_check(mpirun("-x RANK=1")),
      (std::vector<std::string>{
          "process 0: UNAVAILABLE: RANK/WORLD_SIZE (1/unset) disagree with MPI's rank 0 of 2" +
              kAdvice + " (initialized: no); MPI started",
          "process 1: UNAVAILABLE: RANK/WORLD_SIZE disagree with MPI's world on rank 0" + kAdvice +
              " (initialized: no); MPI started"}));
  EXPECT_EQ(
      run_check(mpirun("-x WORLD_SIZE=3")),
      (std::vector<std::string>{
          "process 0: UNAVAILABLE: RANK/WORLD_SIZE (unset/3) disagree with MPI's rank 0 of 2" +
              kAdvice + " (initialized: no); MPI started",
          "process 1: UNAVAILABLE: RANK/WORLD_SIZE (unset/3) disagree with MPI's rank 1 of 2" +
              kAdvice + " (initialized: no); MPI started"}));
}

TEST(DistEnvTest, BadValuesAreInvalidBeforeMpiStarts) {  // E247
  struct Case {
    std::string exports, text;
  };
  const std::vector<Case> cases = {
      {"RANK=one", "RANK=one is not a non-negative integer"},
      {"WORLD_SIZE=-2", "WORLD_SIZE=-2 is not a non-negative integer"},
      {"LOCAL_RANK=+1", "LOCAL_RANK=+1 is not a non-negative integer"},
      {"RANK=99999999999", "RANK=99999999999 is not a non-negative integer"},
      {"VARSCOPE_DIST_TIMEOUT_S=0",
       "VARSCOPE_DIST_TIMEOUT_S=0 is not a positive number of seconds"},
      {"VARSCOPE_DIST_TIMEOUT_S=5s",
       "VARSCOPE_DIST_TIMEOUT_S=5s is not a positive number of seconds"},
      {"VARSCOPE_DIST_TIMEOUT_S=inf",
       "VARSCOPE_DIST_TIMEOUT_S=inf is not a positive number of seconds"},
  };
  for (const Case& c : cases) {
    // Read before MPI starts: a failed init leaves the process as it was.
    EXPECT_EQ(run_check("env " + c.exports),
              (std::vector<std::string>{"process 0: INVALID_ARGUMENT: " + c.text +
                                        " (initialized: no); MPI not started"}))
        << c.exports;
  }
  // Under mpirun every rank reads the same value and gives up alike.
  EXPECT_EQ(run_check(mpirun("-x LOCAL_RANK=x")),
            (std::vector<std::string>{
                "process 0: INVALID_ARGUMENT: LOCAL_RANK=x is not a non-negative integer "
                "(initialized: no); MPI not started",
                "process 1: INVALID_ARGUMENT: LOCAL_RANK=x is not a non-negative integer "
                "(initialized: no); MPI not started"}));
}

TEST(DistEnvTest, ANonPositiveTimeoutOptionIsInvalid) {  // E247
  EXPECT_EQ(run_check("env", "zero-timeout"),
            (std::vector<std::string>{"process 0: INVALID_ARGUMENT: InitOptions::timeout_seconds "
                                      "must be positive (initialized: no); MPI not started"}));
  // The variable overrides the option.
  EXPECT_EQ(run_check("env VARSCOPE_DIST_TIMEOUT_S=2", "zero-timeout"),
            (std::vector<std::string>{"process 0: ok 0/1 local 0; MPI started"}));
}

}  // namespace
