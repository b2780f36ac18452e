#include "host/runtime/cuda/cublas_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "varscope/errors.h"

namespace varscope::runtime::cuda {
namespace {

// cublasCreate is a macro for cublasCreate_v2: the symbol's name is the expanded one.
#define VARSCOPE_CUBLAS_NAME_(name) #name
#define VARSCOPE_CUBLAS_NAME(name) VARSCOPE_CUBLAS_NAME_(name)

const char* const kLibrary = "libcublas.so." VARSCOPE_CUBLAS_NAME(CUBLAS_VER_MAJOR);

template <class Fn>
void resolve(void* library, const char* name, Fn& slot) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw UnavailableError(std::string("cuBLAS (") + kLibrary + ") has no " + name +
                           ": a CUDA session needs cuBLAS " +
                           VARSCOPE_CUBLAS_NAME(CUBLAS_VER_MAJOR) + ".x");
  }
  slot = reinterpret_cast<Fn>(symbol);
}

CublasApi open_cublas() {
  // RTLD_LOCAL: the symbols stay out of the global namespace, where an application's own
  // cuBLAS of another version may live.
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw UnavailableError(std::string("cannot load cuBLAS, which a CUDA session needs: ") +
                           (why != nullptr ? why : kLibrary));
  }
  CublasApi api{};
  try {
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasCreate), api.create);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasDestroy), api.destroy);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasSetStream), api.set_stream);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasSetMathMode), api.set_math_mode);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasSetWorkspace), api.set_workspace);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasSgemmStridedBatched_64), api.sgemm_strided_batched);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasDgemmStridedBatched_64), api.dgemm_strided_batched);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasGetStatusName), api.status_name);
    resolve(library, VARSCOPE_CUBLAS_NAME(cublasGetStatusString), api.status_string);
  } catch (...) {
    dlclose(library);
    throw;
  }
  return api;  // the library stays open: its handles may outlive any one session
}

}  // namespace

const CublasApi& cublas() {
  // A throwing call_once leaves the flag unset: the next call tries again.
  static std::once_flag once;
  static CublasApi api{};
  std::call_once(once, [] { api = open_cublas(); });
  return api;
}

}  // namespace varscope::runtime::cuda
