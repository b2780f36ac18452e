// Checkpoints: Saver round trips on both backends, name/prefix maps, the file layout (also
// read by Python's standard library), every corruption case with its own error and no
// variable changed, and interrupted saves that leave the previous file loadable.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend_test.h"
#include "gpu_test.h"
#include "host/io/safetensors.h"
#include "host/io/saver.h"
#include "test_util.h"
#include "varscope/saver.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

using vs::testing::read_bytes;
using vs::testing::TempDir;
using vs::testing::write_bytes;

// The u64 little-endian header length at the start of a safetensors file.
std::uint64_t header_length(const std::string& file) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
  return n;
}
void set_header_length(std::string& file, std::uint64_t n) {
  for (int i = 0; i < 8; ++i)
    file[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
}

// [u64 LE length][header][data], the header taken verbatim.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  set_header_length(out, header.size());
  return out + header + data;
}

using varscope::testing::error_of;

std::string hex(const vs::HostTensor& t) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(t.raw_data());
  for (std::size_t i = 0; i < t.nbytes(); ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out.empty() ? "-" : out;
}

// A graph with variables of several dtypes in two scopes; `seed` changes the random values.
struct Model {
  vs::Graph g;
  vs::Variable w, b, steps, counts, table, a2;

  explicit Model(const std::string& scope = "v_scope",
                 std::int64_t seed = 7,
                 vs::Shape w_shape = vs::Shape{2, 3},
                 vs::DType steps_dtype = vs::DType::kInt64) {
    g.set_random_seed(seed);
    {
      auto s = g.variable_scope(scope);
      w = g.get_variable("Weights", {.shape = w_shape});
      b = g.get_variable(
          "bias", {.shape = vs::Shape{3},
                   .initializer = vs::constant_initializer(0.5 + static_cast<double>(seed))});
      steps = g.get_variable(
          "steps", {.shape = vs::Shape{},
                    .dtype = steps_dtype,
                    .initializer = vs::constant_initializer(static_cast<double>(seed * 1000))});
      counts = g.get_variable(
          "counts",
          {.shape = vs::Shape{4},
           .dtype = vs::DType::kInt32,
           .initializer = vs::constant_initializer({1, 2, 3, static_cast<double>(seed)})});
      table = g.get_variable("table", {.shape = vs::Shape{2, 2},
                                       .dtype = vs::DType::kFloat64,
                                       .initializer = vs::random_normal_initializer()});
    }
    {
      auto s = g.name_scope("V1");
      a2 = g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
    }
  }
  std::vector<vs::Variable> all() const { return {w, b, steps, counts, table, a2}; }
  std::vector<vs::HostTensor> values(vs::Session& sess) const {
    std::vector<vs::HostTensor> out;
    for (const vs::Variable& v : all())
      out.push_back(sess.run(v));
    return out;
  }
};

std::vector<std::string> keys_of(const std::map<std::string, vs::HostTensor>& m) {
  std::vector<std::string> out;
  for (const auto& kv : m)
    out.push_back(kv.first);
  return out;
}

bool python3_available() {
  return std::system("python3 -c pass > /dev/null 2>&1") == 0;
}

std::string run_command(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    out.append(buf, n);
  const int raw = ::pclose(pipe);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

}  // namespace

// ---- round trips, on each backend ----

class CheckpointRoundTrip : public vs::testing::BackendTest {};

TEST_P(CheckpointRoundTrip, RestoresEveryVariableIntoAFreshSession) {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  Model m1;
  vs::Session s1(m1.g, options());
  s1.run(m1.g.global_variables_initializer());
  const std::vector<vs::HostTensor> saved = m1.values(s1);
  vs::Saver(m1.g).save(s1, path);

  Model m2("v_scope", /*seed=*/99);
  vs::Session s2(m2.g, options());
  EXPECT_EQ(s2.report_uninitialized_variables().size(), 6u);
  vs::Saver(m2.g).restore(s2, path);
  EXPECT_TRUE(s2.report_uninitialized_variables().empty());
  const std::vector<vs::HostTensor> restored = m2.values(s2);
  ASSERT_EQ(restored.size(), saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(restored[i], saved[i]) << m2.all()[i].op_name();
  }
  // The seeds really gave different values: the restore is what made them equal.
  vs::Session s3(m2.g, options());
  s3.run(m2.g.global_variables_initializer());
  EXPECT_NE(s3.run(m2.w), saved[0]);
}

TEST_P(CheckpointRoundTrip, RestoresIntoARenamedScopeThroughThePrefixMap) {
  TempDir dir;
  const std::string path = dir.file("old.safetensors");
  Model old_model("old_scope");
  vs::Session s1(old_model.g, options());
  s1.run(old_model.g.global_variables_initializer());
  vs::Saver(old_model.g).save(s1, path);

  Model renamed("new_scope", /*seed=*/99);
  vs::Session s2(renamed.g, options());
  vs::Saver plain(renamed.g);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { plain.restore(s2, path); }).find("Keys "), 0u);

  vs::Saver mapped(renamed.g, {.prefix_map = {{"old_scope/", "new_scope/"}}});
  EXPECT_EQ(mapped.var_list().count("old_scope/Weights"), 1u);
  EXPECT_EQ(mapped.var_list().count("V1/a2"), 1u);  // no prefix matches: its own name
  mapped.restore(s2, path);
  EXPECT_EQ(s2.run(renamed.w), s1.run(old_model.w));
  EXPECT_EQ(s2.run(renamed.table), s1.run(old_model.table));
  EXPECT_EQ(s2.run(renamed.a2), s1.run(old_model.a2));

  // Saving through the same map writes the old names again.
  const std::string again = dir.file("again.safetensors");
  mapped.save(s2, again);
  EXPECT_EQ(keys_of(vs::read_safetensors(again)), keys_of(vs::read_safetensors(path)));
}

TEST_P(CheckpointRoundTrip, NanPayloadsAndSpecialValuesSurviveBitForBit) {
  TempDir dir;
  const std::string path = dir.file("nan.safetensors");
  Model m1;
  vs::Session s1(m1.g, options());
  s1.run(m1.g.global_variables_initializer());
  // Quiet NaN with payload, negative NaN, signalling NaN, -0, +inf, the smallest denormal.
  const std::vector<std::uint32_t> bits{0x7fc00123u, 0xffc54321u, 0x7f800001u,
                                        0x80000000u, 0x7f800000u, 0x00000001u};
  std::vector<float> special;
  for (std::uint32_t u : bits)
    special.push_back(std::bit_cast<float>(u));
  s1.load_variable(m1.w, vs::HostTensor(special, vs::Shape{2, 3}));
  vs::Saver(m1.g).save(s1, path);

  Model m2("v_scope", 99);
  vs::Session s2(m2.g, options());
  vs::Saver(m2.g).restore(s2, path);
  const vs::HostTensor back = s2.run(m2.w);
  ASSERT_EQ(back.nbytes(), bits.size() * 4);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(back.data<float>()[i]), bits[i]) << "element " << i;
  }
  EXPECT_EQ(std::memcmp(vs::read_safetensors(path).at("v_scope/Weights").raw_data(), special.data(),
                        bits.size() * 4),
            0);
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(CheckpointRoundTrip);

class GpuCheckpoint : public vs::testing::GpuTest {};

TEST_F(GpuCheckpoint, SavedOnCudaRestoresOnTheCpuBackendBitForBit) {
  TempDir dir;
  const std::string path = dir.file("cuda.safetensors");
  Model m1;
  vs::Session cuda(m1.g, {.device = vs::DeviceKind::kCuda});
  cuda.run(m1.g.global_variables_initializer());
  vs::Saver(m1.g).save(cuda, path);
  EXPECT_EQ(vs::read_safetensors_metadata(path).at("device"), "cuda");

  Model m2("v_scope", 99);
  vs::Session cpu(m2.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(m2.g).restore(cpu, path);
  EXPECT_EQ(m2.values(cpu), m1.values(cuda));
}

// ---- the file ----

TEST(CheckpointFile, KeysAreOpNamesAndTensorsAreAligned) {
  TempDir dir;
  const std::string path = dir.file("m.safetensors");
  Model m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  vs::Saver(m.g).save(sess, path);

  const auto tensors = vs::read_safetensors(path);
  EXPECT_EQ(keys_of(tensors),
            (std::vector<std::string>{"V1/a2", "v_scope/Weights", "v_scope/bias", "v_scope/counts",
                                      "v_scope/steps", "v_scope/table"}));
  EXPECT_EQ(read_bytes(path).find(":0"), std::string::npos);
  EXPECT_EQ(tensors.at("v_scope/steps").dtype(), vs::DType::kInt64);
  EXPECT_EQ(tensors.at("v_scope/steps").shape(), vs::Shape{});
  EXPECT_EQ(tensors.at("v_scope/steps").data<std::int64_t>()[0], 7000);
  EXPECT_EQ(tensors.at("v_scope/counts").data<std::int32_t>()[3], 7);

  vs::io::InputFile file(path);
  const vs::io::SafetensorsHeader header = vs::io::read_safetensors_header(file);
  EXPECT_EQ(header.data_start % 8, 0u);
  ASSERT_EQ(header.entries.size(), 6u);
  for (const auto& e : header.entries) {
    EXPECT_EQ(e.begin % vs::dtype_size(e.dtype), 0u) << e.name;
  }
  // The reference writer's order: 8-byte dtypes first, then by name.
  EXPECT_EQ(header.entries.front().name, "v_scope/steps");
  EXPECT_EQ(header.entries[1].name, "v_scope/table");
}

TEST(CheckpointFile, MetadataNamesFormatVersionSeedBackendAndLibrary) {
  TempDir dir;
  Model m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  vs::Saver(m.g).save(sess, dir.file("m.safetensors"));
  const auto meta = vs::read_safetensors_metadata(dir.file("m.safetensors"));
  EXPECT_EQ(meta.at("format_version"), "1");
  EXPECT_EQ(meta.at("varscope_version"), vs::version());
  EXPECT_EQ(meta.at("graph_seed"), "7");
  EXPECT_EQ(meta.at("backend"), sess.device_description());
  EXPECT_EQ(meta.at("device"), "cpu");

  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
  vs::Session s2(g, {.device = vs::DeviceKind::kCpu});
  s2.run(g.global_variables_initializer());
  vs::Saver(g).save(s2, dir.file("noseed.safetensors"));
  EXPECT_EQ(vs::read_safetensors_metadata(dir.file("noseed.safetensors")).at("graph_seed"), "none");
}

TEST(CheckpointFile, PythonStandardLibraryReadsHeaderOffsetsAndBytes) {
  if (!python3_available()) GTEST_SKIP() << "python3 not found";
  TempDir dir;
  const std::string path = dir.file("py.safetensors");
  Model m;
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  sess.load_variable(m.w, vs::HostTensor(std::vector<float>{0.5f, -1.25f, 3.0f, 0.0f, -0.0f,
                                                            std::bit_cast<float>(0x7fc00123u)},
                                         vs::Shape{2, 3}));
  vs::Saver(m.g).save(sess, path);
  // Every dtype, a scalar and an empty tensor, through the format-level writer.
  const std::string all = dir.file("all.safetensors");
  vs::HostTensor f16(vs::DType::kFloat16, vs::Shape{2});
  const std::uint16_t f16_bits[2] = {0x3c00, 0xc100};  // 1.0, -2.5
  std::memcpy(f16.raw_data(), f16_bits, 4);
  vs::HostTensor bf16(vs::DType::kBFloat16, vs::Shape{2});
  const std::uint16_t bf16_bits[2] = {0x3fc0, 0xc040};  // 1.5, -3.0
  std::memcpy(bf16.raw_data(), bf16_bits, 4);
  vs::HostTensor c64(vs::DType::kComplex64, vs::Shape{1});
  const float c64_parts[2] = {1.0f, -2.0f};
  std::memcpy(c64.raw_data(), c64_parts, 8);
  vs::write_safetensors(all,
                        {{"f16", f16},
                         {"bf16", bf16},
                         {"c64", c64},
                         {"f64", vs::HostTensor(std::vector<double>{0.25, -1e300})},
                         {"i8", vs::HostTensor(std::vector<std::int8_t>{-128, 127})},
                         {"i16", vs::HostTensor(std::vector<std::int16_t>{-32768, 5})},
                         {"i64", vs::HostTensor::scalar<std::int64_t>(-1234567890123)},
                         {"u8", vs::HostTensor(std::vector<std::uint8_t>{0, 255, 7})},
                         {"bool", vs::HostTensor(std::vector<bool>{true, false})},
                         {"empty", vs::HostTensor(vs::DType::kFloat32, vs::Shape{0, 3})}},
                        {{"note", "made by checkpoint_test"}});

  const std::string script = std::string(VARSCOPE_TEST_DATA_DIR) + "/parse_safetensors.py";
  int status = 0;
  const std::string out = run_command("python3 '" + script + "' '" + path + "' 2>&1", status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("aligned yes\n"), std::string::npos) << out;
  EXPECT_NE(out.find("metadata format_version 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("metadata graph_seed 7\n"), std::string::npos) << out;
  EXPECT_NE(out.find("values 0.5 -1.25 3.0 0.0 -0.0 nan\n"), std::string::npos) << out;
  EXPECT_NE(out.find("hex 0000003f0000a0bf0000404000000000000000802301c07f values"),
            std::string::npos)
      << out;
  const auto tensors = vs::read_safetensors(path);
  for (const auto& [name, t] : tensors) {
    const std::string dtype(vs::io::safetensors_dtype_name(t.dtype()));
    EXPECT_NE(out.find("tensor " + name + " " + dtype + " "), std::string::npos) << name;
    EXPECT_NE(out.find(" hex " + hex(t) + " values"), std::string::npos) << name << "\n" << out;
  }
  EXPECT_NE(out.find("tensor v_scope/steps I64 [] 0 8 hex 581b000000000000 values 7000\n"),
            std::string::npos)
      << out;

  const std::string out2 = run_command("python3 '" + script + "' '" + all + "' 2>&1", status);
  ASSERT_EQ(status, 0) << out2;
  for (const char* line : {
           "aligned yes\n",
           "metadata note made by checkpoint_test\n",
           "tensor bf16 BF16 [2] ",
           "values 1.5 -3.0\n",
           "tensor bool BOOL [2] ",
           "values true false\n",
           "tensor c64 C64 [1] ",
           "values (1-2j)\n",
           "tensor empty F32 [0,3] ",
           "hex - values \n",
           "tensor f16 F16 [2] ",
           "values 1.0 -2.5\n",
           "values 0.25 -1e+300\n",
           "values -128 127\n",
           "values -32768 5\n",
           "tensor i64 I64 [] ",
           "values -1234567890123\n",
           "values 0 255 7\n",
       }) {
    EXPECT_NE(out2.find(line), std::string::npos) << "missing '" << line << "' in\n" << out2;
  }
}

// ---- options ----

TEST(CheckpointOptions, SubsetSavesAndRestoresOnlyTheListedVariables) {
  TempDir dir;
  const std::string path = dir.file("subset.safetensors");
  Model m1;
  vs::Session s1(m1.g, {.device = vs::DeviceKind::kCpu});
  s1.run(m1.g.global_variables_initializer());
  vs::Saver subset(m1.g, {.variables = std::vector<vs::Variable>{m1.w, m1.steps}});
  subset.save(s1, path);
  EXPECT_EQ(keys_of(vs::read_safetensors(path)),
            (std::vector<std::string>{"v_scope/Weights", "v_scope/steps"}));

  Model m2("v_scope", 99);
  vs::Session s2(m2.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(m2.g, {.variables = std::vector<vs::Variable>{m2.w, m2.steps}}).restore(s2, path);
  EXPECT_EQ(s2.run(m2.w), s1.run(m1.w));
  EXPECT_EQ(s2.report_uninitialized_variables(),
            (std::vector<std::string>{"v_scope/bias", "v_scope/counts", "v_scope/table", "V1/a2"}));
}

TEST(CheckpointOptions, NameMapStoresUnderCheckpointNames) {
  TempDir dir;
  const std::string path = dir.file("named.safetensors");
  Model m1;
  vs::Session s1(m1.g, {.device = vs::DeviceKind::kCpu});
  s1.run(m1.g.global_variables_initializer());
  vs::Saver(m1.g, {.name_map = {{"ckpt_w", m1.w}, {"ckpt_b", m1.b}}}).save(s1, path);
  EXPECT_EQ(keys_of(vs::read_safetensors(path)), (std::vector<std::string>{"ckpt_b", "ckpt_w"}));

  // Restore into differently named variables of the same shapes.
  vs::Graph g;
  vs::Variable kernel, bias;
  {
    auto s = g.variable_scope("dense");
    kernel = g.get_variable("kernel", {.shape = vs::Shape{2, 3}});
    bias = g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  vs::Session s2(g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(g, {.name_map = {{"ckpt_w", kernel}, {"ckpt_b", bias}}}).restore(s2, path);
  EXPECT_EQ(s2.run(kernel), s1.run(m1.w));
  EXPECT_EQ(s2.run(bias), s1.run(m1.b));
}

TEST(CheckpointOptions, TwoVariablesUnderOneKeyAreRejected) {
  Model m;
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::Saver(m.g, {.variables = std::vector<vs::Variable>{m.w},
                              .name_map = {{"v_scope/Weights", m.b}}});
            }),
            "At least two variables have the same name: v_scope/Weights");
  // The same variable listed twice is fine.
  EXPECT_EQ(vs::Saver(m.g, {.variables = std::vector<vs::Variable>{m.w, m.w}}).var_list().size(),
            1u);
}

TEST(CheckpointOptions, LongestPrefixWins) {
  Model m("a");
  vs::Saver saver(m.g, {.variables = std::vector<vs::Variable>{m.w},
                        .prefix_map = {{"x/", "a/"}, {"y/", "a/Weights"}, {"z/", "b/"}}});
  EXPECT_EQ(saver.var_list().begin()->first, "y/");
}

TEST(CheckpointOptions, VariablesOfAnotherGraphAreRejected) {
  Model m1, m2;
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::Saver(m1.g, {.variables = std::vector<vs::Variable>{m2.w}}); }),
            "Variable v_scope/Weights:0 is not an element of this graph.");
}

// ---- restore refuses, and changes nothing ----

class CheckpointRestoreErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    sess_.run(m_.g.global_variables_initializer());
    before_ = m_.values(sess_);
  }
  void expect_unchanged() { EXPECT_EQ(m_.values(sess_), before_); }
  TempDir dir_;
  std::string path_ = dir_.file("ckpt.safetensors");
  Model m_;
  vs::Session sess_{m_.g, {.device = vs::DeviceKind::kCpu}};
  std::vector<vs::HostTensor> before_;
};

TEST_F(CheckpointRestoreErrors, MissingFileIsNotFound) {
  const std::string msg =
      error_of<vs::NotFoundError>([&] { vs::Saver(m_.g).restore(sess_, path_); });
  EXPECT_NE(msg.find(path_), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  expect_unchanged();
}

TEST_F(CheckpointRestoreErrors, MissingKeyIsNotFound) {
  Model other("v_scope", 99);
  vs::Session s(other.g, {.device = vs::DeviceKind::kCpu});
  s.run(other.g.global_variables_initializer());
  vs::Saver(other.g, {.variables = std::vector<vs::Variable>{other.w, other.b, other.steps,
                                                             other.counts, other.a2}})
      .save(s, path_);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::Saver(m_.g).restore(sess_, path_); }),
            "Key v_scope/table not found in checkpoint " + path_);
  expect_unchanged();
}

TEST_F(CheckpointRestoreErrors, ShapeMismatchIsInvalidArgument) {
  Model other("v_scope", 99, vs::Shape{3, 2});
  vs::Session s(other.g, {.device = vs::DeviceKind::kCpu});
  s.run(other.g.global_variables_initializer());
  vs::Saver(other.g).save(s, path_);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { vs::Saver(m_.g).restore(sess_, path_); }),
            "Cannot restore from checkpoint " + path_ +
                ": checkpoint entry v_scope/Weights has dtype float32 and shape (3, 2), but "
                "variable v_scope/Weights has dtype float32 and shape (2, 3)");
  expect_unchanged();
}

TEST_F(CheckpointRestoreErrors, DtypeMismatchIsInvalidArgument) {
  Model other("v_scope", 99, vs::Shape{2, 3}, vs::DType::kInt32);
  vs::Session s(other.g, {.device = vs::DeviceKind::kCpu});
  s.run(other.g.global_variables_initializer());
  vs::Saver(other.g).save(s, path_);
  const std::string msg =
      error_of<vs::InvalidArgumentError>([&] { vs::Saver(m_.g).restore(sess_, path_); });
  EXPECT_NE(msg.find("checkpoint entry v_scope/steps has dtype int32 and shape (), but variable "
                     "v_scope/steps has dtype int64 and shape ()"),
            std::string::npos)
      << msg;
  expect_unchanged();
}

TEST_F(CheckpointRestoreErrors, WellFormedFileWithAnUnsupportedDtypeIsUnimplemented) {
  write_bytes(path_, safetensors_bytes(R"({"x":{"dtype":"U32","shape":[1],"data_offsets":[0,4]}})",
                                       std::string(4, '\0')));
  EXPECT_NE(error_of<vs::UnimplementedError>([&] {
              vs::Saver(m_.g).restore(sess_, path_);
            }).find("entry \"x\" has dtype U32, which varscope has no DType for"),
            std::string::npos);
  expect_unchanged();
}

// Each corrupt file, restored through a Saver of {v_scope/Weights, v_scope/bias}: a
// vs::DataLossError naming the file and the problem, and no variable changed.
struct CorruptCase {
  std::string name;
  std::function<std::string(const std::string& good)> make;
  std::string problem;
};

// w: F32 [2,3] = 24 bytes, b: F32 [3] = 12 bytes.
std::string header_for(const std::string& w_info, const std::string& b_info) {
  return R"({"v_scope/Weights":)" + w_info + R"(,"v_scope/bias":)" + b_info + "}";
}
const std::string kW = R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";
const std::string kB = R"({"dtype":"F32","shape":[3],"data_offsets":[24,36]})";
const std::string kData36(36, '\x01');

std::vector<CorruptCase> corrupt_cases() {
  return {
      {"TruncatedHeaderLength", [](const std::string& good) { return good.substr(0, 5); },
       "file is 5 bytes, too short for the 8-byte header length (truncated header)"},
      {"HeaderLengthPastEndOfFile",
       [](const std::string& good) {
         std::string bad = good;
         set_header_length(bad, good.size());  // 8 + N > file size
         return bad;
       },
       "runs past the end of the file (8 + "},
      {"HeaderLengthOverTheLimit",
       [](const std::string&) {
         std::string bad = safetensors_bytes("{}", "");
         set_header_length(bad, 100'000'001);
         return bad;
       },
       "header length 100000001 exceeds the limit of 100000000 bytes"},
      {"BadJson",
       [](const std::string&) {
         return safetensors_bytes(R"({"v_scope/Weights": {"dtype")", kData36);
       },
       "header is not valid JSON: [json.exception.parse_error.101]"},
      {"NulPaddedHeader",
       [](const std::string&) {
         return safetensors_bytes(header_for(kW, kB) + std::string(3, '\0'), kData36);
       },
       "header has a NUL byte at offset 137 (pad a header with spaces, not NULs)"},
      {"HeaderNotAnObject", [](const std::string&) { return safetensors_bytes("[1, 2]", ""); },
       "header is not a JSON object"},
      {"DuplicateKey",
       [](const std::string&) {
         return safetensors_bytes(
             R"({"v_scope/Weights":)" + kW + R"(,"v_scope/Weights":)" + kB + "}", kData36);
       },
       "header has the key \"v_scope/Weights\" twice"},
      {"MetadataValueNotAString",
       [](const std::string&) {
         return safetensors_bytes(R"({"__metadata__":{"seed":7},"v_scope/Weights":)" + kW +
                                      R"(,"v_scope/bias":)" + kB + "}",
                                  kData36);
       },
       "__metadata__ value of \"seed\" is 7, not a string"},
      {"EntryMissingDtype",
       [](const std::string&) {
         return safetensors_bytes(header_for(R"({"shape":[2,3],"data_offsets":[0,24]})", kB),
                                  kData36);
       },
       "entry \"v_scope/Weights\" has no \"dtype\""},
      {"UnknownDtype",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F33","shape":[2,3],"data_offsets":[0,24]})", kB), kData36);
       },
       "entry \"v_scope/Weights\" has unknown dtype \"F33\""},
      {"NegativeDimension",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[-2,3],"data_offsets":[0,24]})", kB), kData36);
       },
       "entry \"v_scope/Weights\" has shape [-2,3], not a list of non-negative integers"},
      {"ShapeOverflows",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]})",
                        kB),
             kData36);
       },
       "entry \"v_scope/Weights\" has shape [4294967296,4294967296,0], whose element count "
       "overflows"},
      {"OffsetsNotAPair",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[2,3],"data_offsets":[0]})", kB), kData36);
       },
       "entry \"v_scope/Weights\" has data_offsets [0], not [BEGIN, END] of non-negative integers"},
      {"OffsetsBackwards",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[2,3],"data_offsets":[24,0]})", kB), kData36);
       },
       "entry \"v_scope/Weights\" has data_offsets [24,0] that end before they begin"},
      {"ByteLengthDisagreesWithShape",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,20]})",
                        R"({"dtype":"F32","shape":[3],"data_offsets":[20,32]})"),
             std::string(32, '\x01'));
       },
       "entry \"v_scope/Weights\" of dtype F32 and shape [2,3] needs 24 bytes, but its "
       "data_offsets "
       "[0,20] span 20"},
      {"OverlappingOffsets",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(kW, R"({"dtype":"F32","shape":[3],"data_offsets":[20,32]})"),
             std::string(32, '\x01'));
       },
       "the data of entries \"v_scope/Weights\" [0, 24] and \"v_scope/bias\" [20, 32] overlap"},
      {"HoleBetweenTensors",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(kW, R"({"dtype":"F32","shape":[3],"data_offsets":[28,40]})"),
             std::string(40, '\x01'));
       },
       "the data buffer has a hole of 4 bytes before entry \"v_scope/bias\" [28, 40] (the data "
       "before "
       "it ends at 24)"},
      {"DataNotStartingAtZero",
       [](const std::string&) {
         return safetensors_bytes(
             header_for(R"({"dtype":"F32","shape":[2,3],"data_offsets":[8,32]})",
                        R"({"dtype":"F32","shape":[3],"data_offsets":[32,44]})"),
             std::string(44, '\x01'));
       },
       "hole of 8 bytes before entry \"v_scope/Weights\" [8, 32] (the data before it ends at 0)"},
      {"ShortData", [](const std::string& good) { return good.substr(0, good.size() - 4); },
       "the data buffer is short: the entries need 36 bytes but the file holds 32 after the header "
       "(truncated data)"},
      {"TrailingBytes", [](const std::string& good) { return good + "xyz"; },
       "the file has 3 bytes after the data of the last entry"},
      {"BoolByteNotZeroOrOne",
       [](const std::string&) {
         return safetensors_bytes(R"({"flags":{"dtype":"BOOL","shape":[2],"data_offsets":[36,38]},)"
                                  R"("v_scope/Weights":)" +
                                      kW + R"(,"v_scope/bias":)" + kB + "}",
                                  kData36 + std::string("\x01\x02", 2));
       },
       "entry \"flags\" of dtype BOOL holds the byte 2 at element 1; BOOL bytes must be 0 or 1"},
  };
}

void PrintTo(const CorruptCase& c, std::ostream* os) {
  *os << c.name;
}

class CheckpointCorruption : public CheckpointRestoreErrors,
                             public ::testing::WithParamInterface<CorruptCase> {};

TEST_P(CheckpointCorruption, ClearDataLossErrorAndNoVariableChanged) {
  // A good file of other values, for the cases that corrupt a real one.
  Model other("v_scope", 99);
  vs::Session s(other.g, {.device = vs::DeviceKind::kCpu});
  s.run(other.g.global_variables_initializer());
  vs::Saver(other.g, {.variables = std::vector<vs::Variable>{other.w, other.b}}).save(s, path_);
  write_bytes(path_, GetParam().make(read_bytes(path_)));

  vs::Saver saver(m_.g, {.variables = std::vector<vs::Variable>{m_.w, m_.b}});
  const std::string msg = error_of<vs::DataLossError>([&] { saver.restore(sess_, path_); });
  EXPECT_EQ(msg.find("Corrupt safetensors file " + path_ + ": "), 0u) << msg;
  EXPECT_NE(msg.find(GetParam().problem), std::string::npos) << msg;
  expect_unchanged();
  EXPECT_EQ(error_of<vs::DataLossError>([&] { vs::read_safetensors(path_); }), msg);
}

INSTANTIATE_TEST_SUITE_P(Cases,
                         CheckpointCorruption,
                         ::testing::ValuesIn(corrupt_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CheckpointCorruptionCases, EveryCaseHasItsOwnMessage) {
  std::vector<std::string> problems;
  for (const CorruptCase& c : corrupt_cases())
    problems.push_back(c.problem);
  for (std::size_t i = 0; i < problems.size(); ++i) {
    for (std::size_t j = 0; j < problems.size(); ++j) {
      if (i != j) {
        EXPECT_EQ(problems[j].find(problems[i]), std::string::npos)
            << corrupt_cases()[i].name << " vs " << corrupt_cases()[j].name;
      }
    }
  }
}

// ---- interrupted and failed saves ----

class CheckpointAtomicSave : public ::testing::Test {
 protected:
  void SetUp() override {
    s1_.run(m1_.g.global_variables_initializer());
    vs::Saver(m1_.g).save(s1_, path_);
    old_bytes_ = read_bytes(path_);
    s2_.run(m2_.g.global_variables_initializer());
  }
  // The old file is still there, byte for byte, loads, and nothing else is in the directory.
  void expect_old_file_intact() {
    EXPECT_EQ(read_bytes(path_), old_bytes_);
    EXPECT_EQ(dir_.entries(), std::vector<std::string>{"ckpt.safetensors"});
    Model fresh("v_scope", 5);
    vs::Session s(fresh.g, {.device = vs::DeviceKind::kCpu});
    vs::Saver(fresh.g).restore(s, path_);
    EXPECT_EQ(fresh.values(s), m1_.values(s1_));
  }
  TempDir dir_;
  std::string path_ = dir_.file("ckpt.safetensors");
  Model m1_;
  vs::Session s1_{m1_.g, {.device = vs::DeviceKind::kCpu}};
  Model m2_{"v_scope", 99};
  vs::Session s2_{m2_.g, {.device = vs::DeviceKind::kCpu}};
  std::string old_bytes_;
};

// A sink that passes `limit` bytes to the file, then fails like a full disk.
vs::io::SinkFilter fail_after(std::size_t limit, std::size_t* written) {
  return [limit, written](vs::io::ByteSink file) -> vs::io::ByteSink {
    return [limit, written, file](std::span<const std::byte> bytes) {
      const std::size_t room = limit - *written;
      if (bytes.size() > room) {
        file(bytes.first(room));
        *written += room;
        throw std::runtime_error("simulated write failure");
      }
      file(bytes);
      *written += bytes.size();
    };
  };
}

TEST_F(CheckpointAtomicSave, WriterFailingMidwayLeavesTheOldFileLoadable) {
  vs::Saver saver(m2_.g);
  const std::size_t full = old_bytes_.size();
  const std::size_t header_end = 8 + header_length(old_bytes_);
  for (std::size_t limit : {std::size_t{0}, std::size_t{3}, std::size_t{8}, std::size_t{40},
                            header_end, header_end + 10, full - 1}) {
    std::size_t written = 0;
    EXPECT_EQ(error_of<std::runtime_error>([&] {
                vs::io::save_variables(s2_, m2_.g, saver.var_list(), path_,
                                       fail_after(limit, &written));
              }),
              "simulated write failure")
        << "limit " << limit;
    EXPECT_EQ(written, limit);  // the temp file really got those bytes
    expect_old_file_intact();
  }
  // An unhindered save then replaces the file.
  std::size_t written = 0;
  vs::io::save_variables(s2_, m2_.g, saver.var_list(), path_, fail_after(1 << 20, &written));
  EXPECT_EQ(written, read_bytes(path_).size());
  Model fresh("v_scope", 5);
  vs::Session s(fresh.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(fresh.g).restore(s, path_);
  EXPECT_EQ(fresh.values(s), m2_.values(s2_));
}

TEST_F(CheckpointAtomicSave, ProcessKilledMidwayLeavesTheOldFileLoadable) {
  std::map<std::string, vs::HostTensor> values;
  for (const vs::Variable& v : m2_.all())
    values.emplace(v.op_name(), s2_.run(v));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child dies, as if killed, after half of the bytes reached its temp file.
    std::size_t written = 0;
    const std::size_t half = old_bytes_.size() / 2;
    vs::io::write_safetensors_file(path_, values, {}, [&](vs::io::ByteSink file) {
      return [&, file](std::span<const std::byte> bytes) {
        if (written + bytes.size() > half) {
          file(bytes.first(half - written));
          ::_exit(42);
        }
        file(bytes);
        written += bytes.size();
      };
    });
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 42);
  EXPECT_EQ(read_bytes(path_), old_bytes_);
  // The temp file was anonymous: a process that dies mid-write leaves nothing behind.
  EXPECT_EQ(dir_.entries(), std::vector<std::string>{"ckpt.safetensors"});
  expect_old_file_intact();
}

TEST_F(CheckpointAtomicSave, UninitializedVariableFailsBeforeTheFileIsTouched) {
  Model m3("v_scope", 3);
  vs::Session s3(m3.g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] {
              vs::Saver(m3.g).save(s3, path_);
            }).find("Attempting to use uninitialized value"),
            0u);
  expect_old_file_intact();
}

TEST_F(CheckpointAtomicSave, RenameOntoADirectoryIsAnInternalErrorAndLeavesNoTempFile) {
  fs::create_directory(dir_.file("adir.safetensors"));
  const std::string msg = error_of<vs::InternalError>(
      [&] { vs::Saver(m2_.g).save(s2_, dir_.file("adir.safetensors")); });
  EXPECT_EQ(msg.find("rename("), 0u) << msg;
  EXPECT_NE(msg.find("Is a directory"), std::string::npos) << msg;
  EXPECT_EQ(dir_.entries(), (std::vector<std::string>{"adir.safetensors", "ckpt.safetensors"}));
}

TEST_F(CheckpointAtomicSave, MissingDirectoryIsNotFound) {
  const std::string target = dir_.file("no/such/dir/ckpt.safetensors");
  const std::string msg = error_of<vs::NotFoundError>([&] { vs::Saver(m2_.g).save(s2_, target); });
  EXPECT_NE(msg.find(target), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
}
