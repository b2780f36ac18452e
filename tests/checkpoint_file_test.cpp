// The safetensors file's layout and metadata, also as Python's standard library reads it.
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
#include "checkpoint_test_util.h"
#include "gpu_test.h"
#include "host/io/safetensors.h"
#include "host/io/saver.h"
#include "test_util.h"
#include "varscope/saver.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace checkpoint_test;  // NOLINT: the helpers of checkpoint_test_util.h

namespace {

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
