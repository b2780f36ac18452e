// Files an attacker or an accident could hand the readers and writers: each is refused with
// a clear vs::Error, quickly, without unbounded memory, recursion or blocking, and a write
// leaves nothing half-done behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;
using vs::testing::error_of;

namespace {

class HostileFiles : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::vector<std::string> entries() const { return dir_.entries(); }

  // A safetensors file with the given header text (no data).
  std::string safetensors_with_header(const std::string& header) const {
    const std::string path = file("h.safetensors");
    std::ofstream out(path, std::ios::binary);
    std::uint64_t n = header.size();
    char prefix[8];
    for (int i = 0; i < 8; ++i)
      prefix[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out.write(prefix, 8);
    out << header;
    return path;
  }

  // A .npy v1.0 file with the given header dict and `data_bytes` zero bytes of data.
  std::string npy_with_header(std::string dict, std::uint64_t data_bytes) const {
    const std::string path = file("h.npy");
    dict += '\n';
    std::ofstream out(path, std::ios::binary);
    out << "\x93NUMPY" << '\x01' << '\x00' << static_cast<char>(dict.size() & 0xff)
        << static_cast<char>((dict.size() >> 8) & 0xff) << dict;
    out.close();
    fs::resize_file(path, fs::file_size(path) + data_bytes);  // sparse: no disk used
    return path;
  }

  vs::testing::TempDir dir_{"varscope_hostile"};
};

vs::HostTensor values123() {
  return vs::HostTensor(std::vector<float>{1, 2, 3}, vs::Shape{3});
}

}  // namespace

// Nesting: a header 100,000 arrays deep is refused by depth, not by the stack.
TEST_F(HostileFiles, DeeplyNestedSafetensorsHeaderIsDataLoss) {
  for (const char* field : {"shape", "data_offsets"}) {
    const std::string header = std::string("{\"w\":{\"dtype\":\"F32\",\"") + field +
                               "\":" + std::string(100000, '[') + std::string(100000, ']') + "}}";
    const std::string msg =
        error_of<vs::DataLossError>([&] { vs::read_safetensors(safetensors_with_header(header)); });
    EXPECT_NE(msg.find("nests deeper than"), std::string::npos) << msg.substr(0, 300);
  }
}

// Super-linear work: 200,000 distinct metadata keys are checked for duplicates in one pass.
TEST_F(HostileFiles, ManyHeaderKeysAreCheckedInLinearTime) {
  std::string header = "{\"__metadata__\":{";
  for (int i = 0; i < 200000; ++i)
    header += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  header += ",\"k7\":\"again\"}}";
  const std::string msg =
      error_of<vs::DataLossError>([&] { vs::read_safetensors(safetensors_with_header(header)); });
  EXPECT_NE(msg.find("has the key \"k7\" twice"), std::string::npos) << msg;
}

TEST_F(HostileFiles, SafetensorsHeaderMustStartWithABrace) {
  for (const std::string& prefix : {std::string(" "), std::string("\xEF\xBB\xBF")}) {
    const std::string msg = error_of<vs::DataLossError>(
        [&] { vs::read_safetensors(safetensors_with_header(prefix + "{}")); });
    EXPECT_NE(msg.find("starting with '{'"), std::string::npos) << msg;
  }
}

// Size arithmetic: a zero dimension must not hide one that no Shape can hold.
TEST_F(HostileFiles, HugeDimensionBesideAZeroIsDataLoss) {
  const std::string st = safetensors_with_header(
      R"({"w":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})");
  EXPECT_NE(error_of<vs::DataLossError>([&] { vs::read_safetensors(st); }).find("overflows"),
            std::string::npos);
  const std::string npy = npy_with_header(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 18446744073709551615), }", 0);
  EXPECT_NE(error_of<vs::DataLossError>([&] { vs::read_npy(npy); }).find("overflows"),
            std::string::npos);
}

// A sparse 8 GiB file behind a one-element header is refused before anything is read.
TEST_F(HostileFiles, NpyDataSizeIsCheckedBeforeItIsRead) {
  const std::string npy =
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8ull << 30);
  const std::string msg = error_of<vs::DataLossError>([&] { vs::read_npy(npy); });
  EXPECT_NE(msg.find("bytes after the data"), std::string::npos) << msg;
}

TEST_F(HostileFiles, FifoIsRefusedWithoutBlocking) {
  const std::string fifo = file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(
      error_of<vs::InvalidArgumentError>([&] { vs::read_npy(fifo); }).find("not a regular file"),
      std::string::npos);
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] {
              vs::read_safetensors(fifo);
            }).find("not a regular file"),
            std::string::npos);
}

TEST_F(HostileFiles, PathWithANulByteIsRefusedAndNothingIsWritten) {
  const std::string path = file("ck") + std::string("\0.npy", 5);
  const std::string msg =
      error_of<vs::InvalidArgumentError>([&] { vs::write_npy(path, values123()); });
  EXPECT_NE(msg.find("NUL byte"), std::string::npos) << msg;
  EXPECT_TRUE(entries().empty());
  error_of<vs::InvalidArgumentError>([&] { vs::read_npy(path); });
}

// The temp file's name does not grow with the target's: a legal 247-byte name saves.
TEST_F(HostileFiles, LongestLegalFileNamesSave) {
  const std::string name = std::string(247, 'n') + ".npy";  // 251 bytes, NAME_MAX is 255
  vs::write_npy(file(name), values123());
  EXPECT_EQ(vs::read_npy(file(name)), values123());
  EXPECT_EQ(entries(), std::vector<std::string>{name});
}

TEST_F(HostileFiles, ResavingKeepsPermissionsAndSymbolicLinks) {
  const std::string target = file("real.npy"), link = file("link.npy");
  vs::write_npy(target, values123());
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  fs::create_symlink("real.npy", link);
  const vs::HostTensor updated(std::vector<float>{4, 5, 6}, vs::Shape{3});
  vs::write_npy(link, updated);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(vs::read_npy(target), updated);
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(entries(), (std::vector<std::string>{"link.npy", "real.npy"}));
}

// A fed tensor or constant whose byte size wraps size_t is refused, not a tiny buffer.
TEST(HostileSizes, ByteSizeThatWrapsIsResourceExhausted) {
  EXPECT_NE(error_of<vs::ResourceExhaustedError>([] {
              vs::HostTensor(vs::DType::kFloat32, vs::Shape{std::int64_t{1} << 62});
            }).find("OOM"),
            std::string::npos);
}

TEST(HostileSizes, ShapeDimOutOfRangeIsInvalidArgument) {
  const vs::Shape s{2, 3};
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] { (void)s.dim(2); }).find("out of range"),
            std::string::npos);
  error_of<vs::InvalidArgumentError>([&] { (void)s.dim(-1); });
  error_of<vs::InvalidArgumentError>([&] { (void)vs::Shape::unknown_rank().dim(0); });
}

TEST(Version, MacrosFunctionAndCheckpointMetadataAgree) {
  const std::string expected = std::to_string(VARSCOPE_VERSION_MAJOR) + "." +
                               std::to_string(VARSCOPE_VERSION_MINOR) + "." +
                               std::to_string(VARSCOPE_VERSION_PATCH);
  EXPECT_EQ(vs::version(), expected);
  EXPECT_EQ(VARSCOPE_VERSION,
            VARSCOPE_VERSION_MAJOR * 10000 + VARSCOPE_VERSION_MINOR * 100 + VARSCOPE_VERSION_PATCH);
}
