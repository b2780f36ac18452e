// varscope-diff, run as a program: names only in one file, shape/dtype mismatches, the worst
// elements beyond tolerance, and exit status 0 (same) / 1 (different) / 2 (trouble).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/tensor_files.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

struct Result {
  int status;
  std::string output;  // stdout and stderr
};

class DiffTool : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::map<std::string, vs::HostTensor>& t) {
    const std::string path = dir_.file(name);
    vs::write_safetensors(path, t);
    return path;
  }

  static Result run(const std::string& args) {
    const std::string command = std::string("'") + VARSCOPE_DIFF_EXE + "' " + args + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return {-1, "popen failed"};
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
      out.append(buf, n);
    const int raw = ::pclose(pipe);
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, out};
  }

  static vs::HostTensor f32(std::vector<float> v, vs::Shape shape) {
    return vs::HostTensor(v, std::move(shape));
  }

  vs::testing::TempDir dir_;
};

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

}  // namespace

TEST_F(DiffTool, IdenticalFilesExitZero) {
  const std::map<std::string, vs::HostTensor> t{
      {"v_scope/Weights", f32({1, kNaN, kInf, -kInf, 0, -0.0f}, {2, 3})},
      {"steps", vs::HostTensor::scalar<std::int64_t>(9007199254740993)},
      {"flags", vs::HostTensor(std::vector<bool>{true, false})}};
  const std::string a = write("a.safetensors", t);
  const std::string b = write("b.safetensors", t);
  const Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output,
            "same: 3 names compared, 0 only in A, 0 only in B, 0 shape/dtype mismatches, 0 with "
            "values beyond tolerance\n");
}

TEST_F(DiffTool, ListsTheWorstElementsBeyondToleranceFirst) {
  const std::string a = write("a.safetensors", {{"w", f32({1, 2, 3, 4, 5, 6}, {2, 3})}});
  const std::string b = write("b.safetensors", {{"w", f32({1, 2.5f, 3, 4, 5, 6.0001f}, {2, 3})}});
  Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("values differ: w: 2 of 6 elements beyond tolerance (rtol=1e-05, "
                          "atol=1e-08); worst:\n"
                          "  w[0, 1]: a=2 b=2.5 |a-b|=0.5\n"
                          "  w[1, 2]: a=6 b=6.00010014"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("different: 1 names compared, 0 only in A, 0 only in B, 0 shape/dtype "
                          "mismatches, 1 with values beyond tolerance\n"),
            std::string::npos)
      << r.output;

  // A looser tolerance accepts the small difference only.
  r = run("'" + a + "' '" + b + "' --rtol 1e-3");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("1 of 6 elements"), std::string::npos) << r.output;
  r = run("'" + a + "' '" + b + "' --rtol=1e-3 --atol 0.5");
  EXPECT_EQ(r.status, 0) << r.output;
  // --top limits the listing.
  r = run("--top 1 '" + a + "' '" + b + "'");
  EXPECT_EQ(r.output.find("w[1, 2]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("w[0, 1]"), std::string::npos) << r.output;
}

TEST_F(DiffTool, NamesOnlyInOneFileAndShapeOrDtypeMismatches) {
  const std::string a = write("a.safetensors", {{"only_a", f32({1}, {1})},
                                                {"both/shape", f32({1, 2}, {2})},
                                                {"both/dtype", f32({1, 2}, {2})},
                                                {"same", f32({7}, {1})}});
  const std::string b =
      write("b.safetensors", {{"only_b", f32({1}, {1})},
                              {"both/shape", f32({1, 2}, {1, 2})},
                              {"both/dtype", vs::HostTensor(std::vector<double>{1, 2})},
                              {"same", f32({7}, {1})}});
  const Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("only in " + a + ": only_a\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("only in " + b + ": only_b\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("shape/dtype mismatch: both/shape: float32 (2,) vs float32 (1, 2)\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("shape/dtype mismatch: both/dtype: float32 (2,) vs float64 (2,)\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("different: 3 names compared, 1 only in A, 1 only in B, 2 shape/dtype "
                          "mismatches, 0 with values beyond tolerance\n"),
            std::string::npos)
      << r.output;
}

TEST_F(DiffTool, NanMatchesNanButNotANumberAndRanksWorst) {
  const std::string a = write("a.safetensors", {{"x", f32({kNaN, 1, 5, kInf}, {4})}});
  const std::string b = write("b.safetensors", {{"x", f32({kNaN, kNaN, 50, kInf}, {4})}});
  const Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("x: 2 of 4 elements beyond tolerance"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("worst:\n  x[1]: a=1 b=nan |a-b|=inf\n  x[2]: a=5 b=50 |a-b|=45\n"),
            std::string::npos)
      << r.output;
}

TEST_F(DiffTool, IntegersCompareExactlyBeyondDoublePrecision) {
  const std::string a =
      write("a.safetensors", {{"n", vs::HostTensor::scalar<std::int64_t>(9007199254740993)}});
  const std::string b =
      write("b.safetensors", {{"n", vs::HostTensor::scalar<std::int64_t>(9007199254740992)}});
  const Result r = run("'" + a + "' '" + b + "' --rtol 0 --atol 0");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("n: 1 of 1 elements beyond tolerance"), std::string::npos) << r.output;
}

TEST_F(DiffTool, TroubleExitsTwo) {
  const std::string a = write("a.safetensors", {{"x", f32({1}, {1})}});
  Result r = run("'" + a + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("expected two files, got 1"), std::string::npos) << r.output;
  r = run("'" + a + "' '" + a + "' --rtol");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--rtol needs a value"), std::string::npos) << r.output;
  r = run("'" + a + "' '" + a + "' --atol -1");
  EXPECT_EQ(r.status, 2) << r.output;
  r = run("'" + a + "' '" + a + "' --frobnicate");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("unknown option --frobnicate"), std::string::npos) << r.output;

  const std::string bad = dir_.file("bad.safetensors");
  std::ofstream(bad) << "junk";
  r = run("'" + a + "' '" + bad + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("Corrupt safetensors file " + bad), std::string::npos) << r.output;
  r = run("'" + a + "' '" + dir_.file("missing.safetensors") + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("No such file or directory"), std::string::npos) << r.output;

  r = run("--help");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.rfind("usage: varscope-diff", 0), 0u) << r.output;
}

// numpy.isclose: an infinite b has an infinite tolerance, which must not make every a close.
TEST_F(DiffTool, AnInfinityMatchesOnlyTheSameInfinity) {
  const std::string a = write("a.safetensors", {{"w", f32({kInf, 1, -kInf, kInf}, {4})}});
  const std::string b = write("b.safetensors", {{"w", f32({-kInf, kInf, -kInf, kInf}, {4})}});
  const Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("2 of 4 elements beyond tolerance"), std::string::npos) << r.output;
}

TEST_F(DiffTool, TopBeyondALongListsEverything) {
  const std::string a = write("a.safetensors", {{"w", f32({1, 2}, {2})}});
  const std::string b = write("b.safetensors", {{"w", f32({3, 4}, {2})}});
  const Result r = run("'" + a + "' '" + b + "' --top 1e19");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("w[0]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("w[1]"), std::string::npos) << r.output;
}

TEST_F(DiffTool, ComparesTwoNpyFiles) {
  const std::string a = dir_.file("a.npy"), b = dir_.file("b.npy");
  vs::write_npy(a, f32({1, 2, 3}, {3}));
  vs::write_npy(b, f32({1, 2, 4}, {3}));
  Result r = run("'" + a + "' '" + a + "'");
  EXPECT_EQ(r.status, 0) << r.output;
  r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("array[2]"), std::string::npos) << r.output;
}

TEST_F(DiffTool, NpyAgainstACheckpointIsAClearError) {
  const std::string a = dir_.file("a.npy");
  vs::write_npy(a, f32({1}, {1}));
  const std::string b = write("b.safetensors", {{"w", f32({1}, {1})}});
  const Result r = run("'" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("is a .npy file and"), std::string::npos) << r.output;
}

// A missing file is reported as missing, whichever format the other file has.
TEST_F(DiffTool, AMissingFileIsReportedAsMissing) {
  const std::string a = dir_.file("a.npy");
  vs::write_npy(a, f32({1}, {1}));
  const std::string st = write("b.safetensors", {{"w", f32({1}, {1})}});
  const std::string missing_npy = dir_.file("missing.npy");
  const std::string missing_st = dir_.file("missing.safetensors");
  for (const auto& [x, y, missing] :
       std::vector<std::array<std::string, 3>>{{a, missing_npy, missing_npy},
                                               {missing_npy, a, missing_npy},
                                               {st, missing_st, missing_st},
                                               {missing_st, a, missing_st}}) {
    const Result r = run("'" + x + "' '" + y + "'");
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(
        r.output.find("varscope-diff: open(" + missing + ") failed: No such file or directory"),
        std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("is not"), std::string::npos) << r.output;
  }
  const Result dir = run("'" + a + "' '" + dir_.file("") + "'");  // a directory
  EXPECT_EQ(dir.status, 2) << dir.output;
  EXPECT_NE(dir.output.find("Is a directory"), std::string::npos) << dir.output;
}

// A TF checkpoint (prefix or directory) against a safetensors file of the same tensors.
TEST_F(DiffTool, ComparesCheckpointsOfEitherFormat) {
  const std::string adam = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints/adam";
  const vs::train::CheckpointReader reader = vs::train::load_checkpoint(adam + "/model.ckpt-3");
  std::map<std::string, vs::HostTensor> tensors;
  for (const auto& entry : reader.variable_to_shape_map())
    tensors.emplace(entry.first, reader.get_tensor(entry.first));
  const std::string st = write("step3.safetensors", tensors);
  Result r = run("'" + adam + "/model.ckpt-3' '" + st + "'");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.rfind("same: 15 names compared", 0), 0u) << r.output;
  r = run("'" + adam + "' '" + st + "'");  // the directory: its latest checkpoint, step 3
  EXPECT_EQ(r.status, 0) << r.output;
  r = run("'" + adam + "/model.ckpt-2' '" + st + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("values differ: global_step"), std::string::npos) << r.output;
}
