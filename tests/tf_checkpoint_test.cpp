// TensorFlow checkpoints (tensor bundle V2): CRC-32C, the fixtures TF 1.15 wrote
// (tests/data/tf_checkpoints, made by tools/tf115/make_checkpoint_fixtures.py) read exactly,
// a varscope-written bundle byte-identical to TF's, and the Saver's `checkpoint` state file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "host/io/tf/bundle.h"
#include "host/io/tf/crc32c.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace tfio = varscope::io::tf;
namespace fs = std::filesystem;

namespace {

using vs::testing::error_of;
using vs::testing::read_bytes;
using vs::testing::TempDir;

const std::string kData = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints";

nlohmann::json manifest() {
  std::ifstream in(kData + "/manifest.json");
  return nlohmann::json::parse(in);
}

std::string hex_of(const vs::HostTensor& t) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(t.raw_data());
  for (std::size_t i = 0; i < t.nbytes(); ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

std::vector<std::int64_t> dims_of(const nlohmann::json& shape) {
  return shape.get<std::vector<std::int64_t>>();
}

// Every tensor of a checkpoint against the manifest: names, dtypes, shapes, bytes.
void expect_matches(const std::string& prefix, const nlohmann::json& want) {
  SCOPED_TRACE(prefix);
  const vs::train::CheckpointReader reader = vs::train::load_checkpoint(prefix);
  const auto shapes = reader.variable_to_shape_map();
  const auto dtypes = reader.variable_to_dtype_map();
  ASSERT_EQ(shapes.size(), want.size());
  for (const auto& [name, entry] : want.items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(reader.has_tensor(name));
    EXPECT_EQ(vs::dtype_name(dtypes.at(name)), entry["dtype"].get<std::string>());
    EXPECT_EQ(shapes.at(name), vs::Shape(dims_of(entry["shape"])));
    const vs::HostTensor t = reader.get_tensor(name);
    EXPECT_EQ(t.shape(), shapes.at(name));
    EXPECT_EQ(hex_of(t), entry["hex"].get<std::string>());
  }
}

// tools/tf115/make_checkpoint_fixtures.py value(): the dtypes/ tensors.
vs::HostTensor fixture_value(const std::string& kind, vs::DType dtype, vs::Shape shape) {
  vs::HostTensor f64(vs::DType::kFloat64, shape);
  auto v = f64.data<double>();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto k = static_cast<std::int64_t>(i);
    if (vs::is_floating(dtype))
      v[i] = static_cast<double>(k % 16) * 0.25 - 1.5;
    else if (kind == "int8")
      v[i] = static_cast<double>((k * 7) % 200 - 100);
    else if (kind == "int16")
      v[i] = static_cast<double>(k * 300 - 1000);
    else if (kind == "int32")
      v[i] = static_cast<double>(k * 100003 - 7);
    else if (kind == "uint8")
      v[i] = static_cast<double>((k * 37) % 256);
    else if (dtype == vs::DType::kBool)
      v[i] = k % 3 == 0 ? 1 : 0;
  }
  if (dtype == vs::DType::kInt64) {
    vs::HostTensor t(dtype, shape);
    auto d = t.data<std::int64_t>();
    for (std::size_t i = 0; i < d.size(); ++i)
      d[i] = static_cast<std::int64_t>(i) * 1000000000000 - 5;
    return t;
  }
  if (dtype == vs::DType::kComplex64) {
    vs::HostTensor t(dtype, shape);
    auto* d = static_cast<float*>(t.raw_data());
    for (std::int64_t i = 0; i < t.num_elements(); ++i) {
      d[2 * i] = static_cast<float>(i) * 0.5f;
      d[2 * i + 1] = 0.0f - 0.25f * static_cast<float>(i);  // Python: 0j - 0.25j * i
    }
    return t;
  }
  return f64.cast(dtype);
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(tfio::crc32c(""), 0u);
  EXPECT_EQ(tfio::crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(tfio::crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4
  EXPECT_EQ(tfio::crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i)
    ascending[static_cast<std::size_t>(i)] = static_cast<char>(i);
  EXPECT_EQ(tfio::crc32c(ascending), 0x46DD794Eu);
  // TF's mask: ((crc >> 15) | (crc << 17)) + 0xa282ead8, and its inverse.
  EXPECT_EQ(tfio::crc32c_mask(0xE3069283u),
            ((0xE3069283u >> 15) | (0xE3069283u << 17)) + 0xa282ead8u);
  for (const std::uint32_t c : {0u, 1u, 0xE3069283u, 0xffffffffu, 0xa282ead8u})
    EXPECT_EQ(tfio::crc32c_unmask(tfio::crc32c_mask(c)), c);
}

TEST(Crc32c, DispatchedMatchesPortableAndExtends) {
  std::mt19937 rng(5);
  std::vector<std::byte> buf(4099);
  for (auto& b : buf)
    b = static_cast<std::byte>(rng());
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4099u}) {
    const std::span<const std::byte> s(buf.data(), n);
    EXPECT_EQ(tfio::crc32c(s), tfio::crc32c_extend_portable(0, s)) << n;
    const std::size_t half = n / 3;
    EXPECT_EQ(tfio::crc32c_extend(tfio::crc32c(s.first(half)), s.subspan(half)), tfio::crc32c(s));
  }
}

TEST(TfCheckpointFixtures, EveryTensorReadsExactly) {
  const nlohmann::json m = manifest();
  EXPECT_EQ(m["tensorflow"], "1.15.0");
  for (const char* fixture : {"adam", "dtypes", "partitioned", "sharded"}) {
    for (const auto& [prefix, tensors] : m[fixture].items())
      expect_matches(kData + "/" + fixture + "/" + prefix, tensors);
  }
}

TEST(TfCheckpointFixtures, AdamCheckpointHasSlotsAndBetaPowers) {
  const auto vars = vs::train::list_variables(kData + "/adam");  // the directory: latest
  std::vector<std::string> names;
  for (const auto& [name, shape] : vars)
    names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "beta1_power", "beta2_power", "global_step", "model/dense1/bias",
                "model/dense1/bias/Adam", "model/dense1/bias/Adam_1", "model/dense1/kernel",
                "model/dense1/kernel/Adam", "model/dense1/kernel/Adam_1", "model/dense2/bias",
                "model/dense2/bias/Adam", "model/dense2/bias/Adam_1", "model/dense2/kernel",
                "model/dense2/kernel/Adam", "model/dense2/kernel/Adam_1"}));
  EXPECT_EQ(vs::train::latest_checkpoint(kData + "/adam"), kData + "/adam/model.ckpt-3");
  const vs::HostTensor step = vs::train::load_checkpoint(kData + "/adam").get_tensor("global_step");
  EXPECT_EQ(step.data<std::int64_t>()[0], 3);
}

TEST(TfCheckpointFixtures, PartitionedVariableReadsAsOneTensor) {
  const auto reader = vs::train::load_checkpoint(kData + "/partitioned/model.ckpt");
  const auto shapes = reader.variable_to_shape_map();
  EXPECT_EQ(shapes.size(), 2u);  // the parts are not listed
  EXPECT_EQ(shapes.at("emb/table"), (vs::Shape{7, 2}));
  const vs::HostTensor t = reader.get_tensor("emb/table");
  for (std::int64_t i = 0; i < 14; ++i)
    EXPECT_EQ(t.data<float>()[static_cast<std::size_t>(i)], static_cast<float>(i) * 0.5f);
  // The part keys are TF's OrderedCode encoding (rows 3..4 of 7).
  const std::string key = tfio::encode_slice_key("emb/table", {{3, 2}, {0, 2}});
  EXPECT_EQ(key, std::string("\x00"
                             "emb/table\x00\x01\x01\x02\x83\x82\x80\x82",
                             18));
}

TEST(TfCheckpointFixtures, V1FormatIsRefusedWithAWayOut) {
  const std::string msg = error_of<vs::UnimplementedError>(
      [&] { vs::train::load_checkpoint(kData + "/v1/model.ckpt"); });
  EXPECT_NE(msg.find("V1 format"), std::string::npos) << msg;
  EXPECT_NE(msg.find("re-save it with TensorFlow's V2 saver"), std::string::npos) << msg;
}

// The same tensors TF 1.15's SaveV2 wrote, written by varscope: the same bytes.
TEST(TfCheckpointWriter, BundleIsByteIdenticalToTensorFlows) {
  const nlohmann::json m = manifest();
  std::map<std::string, vs::HostTensor> values;
  for (const auto& [name, entry] : m["dtypes"]["model.ckpt"].items()) {
    const std::string kind = name.substr(name.find('/') + 1);
    values.emplace(name, fixture_value(kind, vs::dtype_from_name(entry["dtype"].get<std::string>()),
                                       vs::Shape(dims_of(entry["shape"]))));
    EXPECT_EQ(hex_of(values.at(name)), entry["hex"].get<std::string>()) << name;
  }
  TempDir dir;
  tfio::BundleWriter writer(dir.file("model.ckpt"));
  for (const auto& [name, value] : values)
    writer.add(name, value);
  writer.finish();
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.index")),
            read_bytes(kData + "/dtypes/model.ckpt.index"));
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.data-00000-of-00001")),
            read_bytes(kData + "/dtypes/model.ckpt.data-00000-of-00001"));
}

// The partitioned fixture's parts, written with add_slice: TF's index and data bytes.
TEST(TfCheckpointWriter, SlicesAreWrittenAsTensorFlowWritesThem) {
  const auto reader = vs::train::load_checkpoint(kData + "/partitioned/model.ckpt");
  const vs::HostTensor full = reader.get_tensor("emb/table");
  std::vector<vs::HostTensor> parts;
  const std::vector<std::pair<std::int64_t, std::int64_t>> rows = {{0, 3}, {3, 2}, {5, 2}};
  for (const auto& [start, n] : rows) {
    std::vector<float> v(full.data<float>().begin() + start * 2,
                         full.data<float>().begin() + (start + n) * 2);
    parts.emplace_back(v, vs::Shape{n, 2});
  }
  const vs::HostTensor plain = reader.get_tensor("plain");
  TempDir dir;
  tfio::BundleWriter writer(dir.file("model.ckpt"));
  for (std::size_t i = 0; i < rows.size(); ++i)
    writer.add_slice("emb/table", vs::Shape{7, 2}, {{rows[i].first, rows[i].second}, {0, 2}},
                     parts[i]);
  writer.add("plain", plain);
  writer.finish();
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.index")),
            read_bytes(kData + "/partitioned/model.ckpt.index"));
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.data-00000-of-00001")),
            read_bytes(kData + "/partitioned/model.ckpt.data-00000-of-00001"));
}

}  // namespace

namespace {

// tests/data/tf_checkpoints/strings: each tensor's strings as TF's reader returns them.
std::map<std::string, vs::HostTensor> tf_string_tensors() {
  std::ifstream in(kData + "/strings/manifest.json");
  const nlohmann::json m = nlohmann::json::parse(in);
  std::map<std::string, vs::HostTensor> out;
  for (const auto& [name, entry] : m.items()) {
    std::vector<std::string> strings;
    for (const auto& hex : entry["hex"]) {
      std::string s;
      const std::string h = hex.get<std::string>();
      for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        s.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
      strings.push_back(s);
    }
    out.emplace(name, vs::HostTensor(strings, vs::Shape(dims_of(entry["shape"]))));
  }
  return out;
}

// String tensors TF 1.15's SaveV2 wrote read back exactly, and written by varscope to the
// same bytes (lengths, their checksum, the strings; the entry's own checksum rule).
TEST(TfCheckpointStrings, ReadAsTfWroteThemAndWrittenToTheSameBytes) {
  const auto want = tf_string_tensors();
  ASSERT_EQ(want.size(), 3u);
  const auto reader = vs::train::load_checkpoint(kData + "/strings/model.ckpt");
  for (const auto& [name, value] : want) {
    EXPECT_EQ(reader.variable_to_dtype_map().at(name), vs::DType::kString) << name;
    EXPECT_EQ(reader.get_tensor(name), value) << name;
  }
  TempDir dir;
  tfio::BundleWriter writer(dir.file("model.ckpt"));
  for (const auto& [name, value] : want)
    writer.add(name, value);
  writer.finish();
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.index")),
            read_bytes(kData + "/strings/model.ckpt.index"));
  EXPECT_EQ(read_bytes(dir.file("model.ckpt.data-00000-of-00001")),
            read_bytes(kData + "/strings/model.ckpt.data-00000-of-00001"));
}

TEST(TfCheckpointStrings, CorruptStringBytesAreDataLoss) {
  TempDir dir;
  fs::copy(kData + "/strings", dir.file("s"));
  std::string data = read_bytes(dir.file("s/model.ckpt.data-00000-of-00001"));
  data[data.size() - 1] ^= 1;  // the scalar's last byte: the entry's checksum fails
  std::ofstream(dir.file("s/model.ckpt.data-00000-of-00001"), std::ios::binary) << data;
  const auto reader = vs::train::load_checkpoint(dir.file("s/model.ckpt"));
  EXPECT_NE(error_of<vs::DataLossError>([&] {
              reader.get_tensor("s/scalar");
            }).find("Checksum does not match"),
            std::string::npos);
  data[4] ^= 1;  // the matrix's first length: its lengths' checksum fails
  std::ofstream(dir.file("s/model.ckpt.data-00000-of-00001"), std::ios::binary) << data;
  const auto again = vs::train::load_checkpoint(dir.file("s/model.ckpt"));
  const std::string msg = error_of<vs::DataLossError>([&] { again.get_tensor("s/matrix"); });
  EXPECT_TRUE(msg.find("The length checksum does not match") != std::string::npos ||
              msg.find("run past") != std::string::npos)
      << msg;
}

}  // namespace
