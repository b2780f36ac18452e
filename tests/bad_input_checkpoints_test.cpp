// Bad input, files: missing or corrupt checkpoints, save errors, file-format misuse.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "bad_input_test.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;
using namespace bad_input_test;  // NOLINT: the fixture and helpers of bad_input_test.h

// ============================== checkpoints ===============================

TEST_F(BadInput, RestoreFromAMissingOrCorruptFile) {
  TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  const std::string msg =
      error_of<vs::NotFoundError>([&] { vs::Saver(g_).restore(*sess_, missing); });
  EXPECT_TRUE(Contains(msg, missing)) << msg;
  EXPECT_TRUE(Contains(msg, "No such file or directory")) << msg;

  // A good checkpoint of other values, then truncated.
  const std::string path = dir.file("ckpt.safetensors");
  {
    vs::Session other(g_, kCpu);
    other.load_variable(w_, Floats({9, 9, 9, 9, 9, 9}, vs::Shape{2, 3}));
    other.load_variable(b_, Floats({9, 9, 9}, vs::Shape{3}));
    other.load_variable(steps_, vs::HostTensor(std::int64_t{9}));
    vs::Saver(g_).save(other, path);
  }
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 4);
  const std::string corrupt =
      error_of<vs::DataLossError>([&] { vs::Saver(g_).restore(*sess_, path); });
  EXPECT_TRUE(StartsWith(corrupt, "Corrupt safetensors file " + path + ": ")) << corrupt;
  EXPECT_TRUE(Contains(corrupt, "(truncated data)")) << corrupt;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, RestoreWithAMissingKeyOrAnotherShape) {
  TempDir dir;
  const std::string path = dir.file("other.safetensors");
  vs::Graph other;
  vs::Variable ow;
  {
    auto s = other.variable_scope("model");
    ow = other.get_variable("w", {.shape = vs::Shape{3, 2}, .initializer = vs::ones_initializer()});
  }
  vs::Session os(other, kCpu);
  os.run(other.global_variables_initializer());
  vs::Saver(other).save(os, path);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::Saver(g_).restore(*sess_, path); }),
            "Keys model/b, steps not found in checkpoint " + path);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_}}).restore(*sess_, path);
            }),
            "Cannot restore from checkpoint " + path +
                ": checkpoint entry model/w has dtype float32 and shape (3, 2), but variable "
                "model/w has dtype float32 and shape (2, 3)");
  // A Saver of one graph with the session of another.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { vs::Saver(other).restore(*sess_, path); }),
            "Variable model/w:0 is not an element of this session's graph.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, SaveErrors) {
  TempDir dir;
  vs::Variable fresh = g_.get_variable("fresh", {.shape = vs::Shape{1}});
  Mark();
  const std::string path = dir.file("ckpt.safetensors");
  const std::string uninit =
      error_of<vs::FailedPreconditionError>([&] { vs::Saver(g_).save(*sess_, path); });
  EXPECT_TRUE(StartsWith(uninit, "Attempting to use uninitialized value fresh")) << uninit;
  EXPECT_FALSE(fs::exists(path));
  const vs::Saver saver(g_, {.variables = std::vector<vs::Variable>{w_, b_}});
  const std::string target = dir.file("no/such/dir/ckpt.safetensors");
  const std::string missing_dir = error_of<vs::NotFoundError>([&] { saver.save(*sess_, target); });
  EXPECT_TRUE(Contains(missing_dir, "No such file or directory")) << missing_dir;
  fs::create_directory(dir.file("adir.safetensors"));
  const std::string onto_dir =
      error_of<vs::InternalError>([&] { saver.save(*sess_, dir.file("adir.safetensors")); });
  EXPECT_TRUE(StartsWith(onto_dir, "rename(")) << onto_dir;
  EXPECT_TRUE(Contains(onto_dir, "Is a directory")) << onto_dir;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, SaverOfBadVariableLists) {
  vs::Graph other;
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_}, .name_map = {{"model/w", b_}}});
      }),
      "At least two variables have the same name: model/w");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_, v}});
            }),
            "Variable v:0 is not an element of this graph.");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::Saver(g_, {.variables = std::vector<vs::Variable>{vs::Variable()}}); }),
            "The handle is empty (default-constructed)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, FileFormatMisuse) {
  TempDir dir;
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] {
        vs::write_safetensors(dir.file("m.safetensors"), {{"__metadata__", vs::HostTensor(1.0f)}});
      }),
      "A safetensors tensor cannot be named __metadata__");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              vs::write_npy(dir.file("b.npy"), vs::HostTensor(vs::DType::kBFloat16, vs::Shape{2}));
            }),
            "NumPy has no dtype for bfloat16; cast it or save it to safetensors");
  EXPECT_EQ(error_of<vs::InternalError>([&] { vs::read_npy(dir.path()); }),
            "open(" + dir.path() + ") failed: Is a directory");
  EXPECT_EQ(error_of<vs::InternalError>([&] { vs::read_safetensors(dir.path()); }),
            "open(" + dir.path() + ") failed: Is a directory");
  const std::string missing = dir.file("none.npy");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::read_npy(missing); }),
            "open(" + missing + ") failed: No such file or directory");
  EXPECT_TRUE(Intact());
}
