// .npy export for golden files: byte-identical to numpy.save (checked against files numpy
// 1.24 wrote, in tests/data), read back in every layout numpy writes, and corrupt files
// rejected with their own errors.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <bit>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/tensor_files.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

const std::string kData = VARSCOPE_TEST_DATA_DIR;

using vs::testing::read_bytes;
using vs::testing::TempDir;
using vs::testing::write_bytes;

// A v1.0 file with the given header dict (padded as numpy pads it) and data.
std::string npy_bytes(const std::string& dict, const std::string& data, char major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append(64 - (prefix + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + major + '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  if (major != 1) out += std::string(2, '\0');
  return out + header + data;
}

using varscope::testing::error_of;

template <typename T>
std::vector<T> values(const vs::HostTensor& t) {
  auto d = t.data<T>();
  return {d.begin(), d.end()};
}

vs::HostTensor complex64(const std::vector<std::complex<float>>& v) {
  vs::HostTensor t(vs::DType::kComplex64, vs::Shape{static_cast<std::int64_t>(v.size())});
  std::memcpy(t.raw_data(), v.data(), v.size() * 8);
  return t;
}

vs::HostTensor float16(const std::vector<std::uint16_t>& bits) {
  vs::HostTensor t(vs::DType::kFloat16, vs::Shape{static_cast<std::int64_t>(bits.size())});
  std::memcpy(t.raw_data(), bits.data(), bits.size() * 2);
  return t;
}

}  // namespace

// ---- byte-identical to numpy.save ----

struct Golden {
  const char* file;
  vs::HostTensor tensor;
};

class NpyGolden : public ::testing::TestWithParam<int> {
 protected:
  static std::vector<Golden> cases() {
    return {
        {"golden_f32_2x3.npy",
         vs::HostTensor(std::vector<float>{-1, -0.5, 0, 0.5, 1, 1.5}, vs::Shape{2, 3})},
        {"golden_i64_scalar.npy", vs::HostTensor::scalar<std::int64_t>(-1234567890123)},
        {"golden_bool_3.npy", vs::HostTensor(std::vector<bool>{true, false, true})},
        {"golden_u8_empty_0x3.npy", vs::HostTensor(vs::DType::kUInt8, vs::Shape{0, 3})},
        {"golden_c64_2.npy", complex64({{1, 2}, {-0.5f, -4}})},
        {"golden_f16_3.npy", float16({0x3c00, 0xc100, 0x7bff})},  // 1, -2.5, 65504
    };
  }
};

TEST_P(NpyGolden, WriteMatchesNumpySaveByteForByte) {
  const Golden g = cases()[static_cast<std::size_t>(GetParam())];
  TempDir dir;
  vs::write_npy(dir.file("out.npy"), g.tensor);
  const std::string golden = read_bytes(kData + "/" + g.file);
  ASSERT_FALSE(golden.empty()) << g.file;
  EXPECT_EQ(read_bytes(dir.file("out.npy")), golden) << g.file;
}

TEST_P(NpyGolden, ReadGivesTheValuesNumpySaved) {
  const Golden g = cases()[static_cast<std::size_t>(GetParam())];
  EXPECT_EQ(vs::read_npy(kData + "/" + g.file), g.tensor) << g.file;
}

INSTANTIATE_TEST_SUITE_P(Files, NpyGolden, ::testing::Range(0, 6));

TEST(Npy, HeaderIsNumpysDictPaddedTo64Bytes) {
  TempDir dir;
  vs::write_npy(dir.file("a.npy"), vs::HostTensor(std::vector<double>{1, 2, 3}));
  const std::string bytes = read_bytes(dir.file("a.npy"));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + header_len + 24);
  // The dict, then 20 spaces of room for the first axis to grow (numpy's
  // GROWTH_AXIS_MAX_DIGITS = 21, less one digit).
  const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
  EXPECT_EQ(bytes.substr(10, dict.size() + 20), dict + std::string(20, ' '));
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');

  vs::write_npy(dir.file("s.npy"), vs::HostTensor::scalar<std::int32_t>(5));
  EXPECT_NE(read_bytes(dir.file("s.npy")).find("'shape': (), }      "), std::string::npos);
}

TEST(Npy, RoundTripsEveryDtypeNumpyHas) {
  TempDir dir;
  const std::vector<vs::HostTensor> tensors{
      vs::HostTensor(std::vector<float>{1.5f, std::bit_cast<float>(0x7fc00123u), -0.0f},
                     vs::Shape{3, 1}),
      vs::HostTensor(std::vector<double>{1e-300, -2.5}),
      vs::HostTensor(std::vector<std::int8_t>{-128, 127}),
      vs::HostTensor(std::vector<std::int16_t>{-32768, 32767}),
      vs::HostTensor(std::vector<std::int32_t>{1, -2, 3, -4}, vs::Shape{2, 1, 2}),
      vs::HostTensor(std::vector<std::int64_t>{INT64_MIN, INT64_MAX}),
      vs::HostTensor(std::vector<std::uint8_t>{0, 255}),
      vs::HostTensor(std::vector<bool>{false, true}),
      complex64({{0.25f, -1}}),
      float16({0x0001, 0x8000}),
      vs::HostTensor(vs::DType::kFloat32, vs::Shape{0}),
  };
  for (const vs::HostTensor& t : tensors) {
    vs::write_npy(dir.file("t.npy"), t);
    const vs::HostTensor back = vs::read_npy(dir.file("t.npy"));
    EXPECT_EQ(back, t) << vs::dtype_name(t.dtype()) << " " << t.shape();
  }
}

TEST(Npy, BFloat16HasNoNumpyDtypeAndWritesNothing) {
  TempDir dir;
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              vs::write_npy(dir.file("b.npy"), vs::HostTensor(vs::DType::kBFloat16, vs::Shape{2}));
            }),
            "NumPy has no dtype for bfloat16; cast it or save it to safetensors");
  EXPECT_FALSE(fs::exists(dir.file("b.npy")));
}

TEST(Npy, FortranOrderIsReadIntoCOrder) {
  const vs::HostTensor t = vs::read_npy(kData + "/golden_f64_fortran_2x3.npy");
  EXPECT_EQ(t.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(values<double>(t), (std::vector<double>{0.25, 1.25, 2.25, 3.25, 4.25, 5.25}));

  // A 3-D one: element (i, j, k) stored at i + 2j + 6k holds 100i + 10j + k.
  std::vector<std::int16_t> column_major(2 * 3 * 2);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k)
        column_major[static_cast<std::size_t>(i + 2 * j + 6 * k)] =
            static_cast<std::int16_t>(100 * i + 10 * j + k);
  TempDir dir;
  write_bytes(dir.file("f.npy"),
              npy_bytes("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 2), }",
                        std::string(reinterpret_cast<const char*>(column_major.data()), 24)));
  EXPECT_EQ(values<std::int16_t>(vs::read_npy(dir.file("f.npy"))),
            (std::vector<std::int16_t>{0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121}));
}

TEST(Npy, BigEndianIsSwappedToHostOrder) {
  EXPECT_EQ(values<std::int32_t>(vs::read_npy(kData + "/golden_i32_be_4.npy")),
            (std::vector<std::int32_t>{1, -2, 300000, -400000}));
}

TEST(Npy, Version2HeaderAndAnyKeyOrderAreRead) {
  TempDir dir;
  const float v[2] = {1.5f, -2.0f};
  write_bytes(dir.file("v2.npy"),
              npy_bytes("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                        std::string(reinterpret_cast<const char*>(v), 8), 2));
  EXPECT_EQ(values<float>(vs::read_npy(dir.file("v2.npy"))), (std::vector<float>{1.5f, -2.0f}));
}

TEST(Npy, PythonStandardLibraryAndNumpyReadTheFile) {
  if (std::system("python3 -c pass > /dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not found";
  TempDir dir;
  const std::string path = dir.file("p.npy");
  vs::write_npy(path,
                vs::HostTensor(std::vector<float>{0.5f, -1.25f, 3.0f, 0.0f}, vs::Shape{2, 2}));
  const std::string command = "python3 '" + kData + "/parse_npy.py' '" + path + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[1024];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    out.append(buf, n);
  const int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "descr <f4 fortran_order False shape (2, 2) values 0.5 -1.25 3.0 0.0\n");
  if (out.find("\nnumpy ") != std::string::npos) {
    EXPECT_NE(out.find("\nnumpy <f4 (2, 2) 0.5 -1.25 3.0 0.0\n"), std::string::npos) << out;
  }
}

// ---- errors ----

TEST(NpyErrors, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_NE(error_of<vs::NotFoundError>([&] {
              vs::read_npy(dir.file("none.npy"));
            }).find("No such file or directory"),
            std::string::npos);
}

TEST(NpyErrors, EachCorruptionHasItsOwnDataLossError) {
  TempDir dir;
  const std::string path = dir.file("bad.npy");
  const std::string good = read_bytes(kData + "/golden_f32_2x3.npy");
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string long_header = good;
  long_header[8] = '\xff';
  const std::vector<std::pair<std::string, std::string>> cases{
      {"NUMPY" + good.substr(5), "it does not start with the magic string \\x93NUMPY"},
      {good.substr(0, 7), "it does not start with the magic string"},
      {good.substr(0, 6) + std::string("\x04\x00", 2) + good.substr(8),
       "unsupported format version 4.0"},
      {good.substr(0, 9), "the file ends inside the header length"},
      {long_header, "header length 255 runs past the end of the file (file size 152)"},
      {npy_bytes("{'descr': '<f4', 'fortran_order': False}", ""),
       "the dict needs exactly the keys 'descr', 'fortran_order' and 'shape'"},
      {npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", ""),
       "expected True or False"},
      {npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", ""),
       "expected a non-negative integer"},
      {npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", ""),
       "unexpected or repeated key 'x'"},
      {npy_bytes(f4, std::string(20, '\0')),
       "the data is 20 bytes, but dtype '<f4' and shape (2, 3) need 24 (truncated data)"},
      {npy_bytes(f4, std::string(25, '\0')), "the file has 1 bytes after the data"},
      {npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", "\x01\x05"),
       "bool element 1 is neither 0 nor 1"},
  };
  for (const auto& [bytes, problem] : cases) {
    write_bytes(path, bytes);
    const std::string msg = error_of<vs::DataLossError>([&] { vs::read_npy(path); });
    EXPECT_EQ(msg.find("Corrupt .npy file " + path + ": "), 0u) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << msg << "\nexpected: " << problem;
  }
}

TEST(NpyErrors, DtypesVarscopeLacksAreUnimplemented) {
  TempDir dir;
  const std::string path = dir.file("u.npy");
  write_bytes(path, npy_bytes("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }",
                              std::string(12, '\0')));
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { vs::read_npy(path); }),
            ".npy file " + path + " has dtype '<U3', which varscope has no DType for");
}
