// Restore refuses (missing file or key, shapes, dtypes, every corruption), changing nothing.
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

// [u64 LE length][header][data], the header taken verbatim.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  set_header_length(out, header.size());
  return out + header + data;
}

}  // namespace

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
