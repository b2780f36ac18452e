#include "host/runtime/cuda/cudnn_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "varscope/errors.h"

namespace varscope::runtime::cuda {
namespace {

#define VARSCOPE_CUDNN_NAME_(name) #name
#define VARSCOPE_CUDNN_NAME(name) VARSCOPE_CUDNN_NAME_(name)

const char* const kLibrary = "libcudnn.so." VARSCOPE_CUDNN_NAME(CUDNN_MAJOR);

template <class Fn>
void resolve(void* library, const char* name, Fn& slot) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw UnavailableError(std::string("cuDNN (") + kLibrary + ") has no " + name +
                           ": convolution and pooling on CUDA need cuDNN " +
                           VARSCOPE_CUDNN_NAME(CUDNN_MAJOR) + ".x");
  }
  slot = reinterpret_cast<Fn>(symbol);
}

CudnnApi open_cudnn() {
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw UnavailableError(
        std::string("cannot load cuDNN, which convolution and pooling on CUDA need: ") +
        (why != nullptr ? why : kLibrary));
  }
  CudnnApi api{};
  try {
#define VARSCOPE_RESOLVE(field, fn) resolve(library, #fn, api.field)
    VARSCOPE_RESOLVE(create, cudnnCreate);
    VARSCOPE_RESOLVE(destroy, cudnnDestroy);
    VARSCOPE_RESOLVE(set_stream, cudnnSetStream);
    VARSCOPE_RESOLVE(error_string, cudnnGetErrorString);
    VARSCOPE_RESOLVE(create_tensor, cudnnCreateTensorDescriptor);
    VARSCOPE_RESOLVE(destroy_tensor, cudnnDestroyTensorDescriptor);
    VARSCOPE_RESOLVE(set_tensor, cudnnSetTensor4dDescriptorEx);
    VARSCOPE_RESOLVE(create_filter, cudnnCreateFilterDescriptor);
    VARSCOPE_RESOLVE(destroy_filter, cudnnDestroyFilterDescriptor);
    VARSCOPE_RESOLVE(set_filter, cudnnSetFilter4dDescriptor);
    VARSCOPE_RESOLVE(create_conv, cudnnCreateConvolutionDescriptor);
    VARSCOPE_RESOLVE(destroy_conv, cudnnDestroyConvolutionDescriptor);
    VARSCOPE_RESOLVE(set_conv, cudnnSetConvolution2dDescriptor);
    VARSCOPE_RESOLVE(set_conv_math, cudnnSetConvolutionMathType);
    VARSCOPE_RESOLVE(forward_algorithm, cudnnGetConvolutionForwardAlgorithm_v7);
    VARSCOPE_RESOLVE(forward_workspace, cudnnGetConvolutionForwardWorkspaceSize);
    VARSCOPE_RESOLVE(forward, cudnnConvolutionForward);
    VARSCOPE_RESOLVE(backward_data_algorithm, cudnnGetConvolutionBackwardDataAlgorithm_v7);
    VARSCOPE_RESOLVE(backward_data_workspace, cudnnGetConvolutionBackwardDataWorkspaceSize);
    VARSCOPE_RESOLVE(backward_data, cudnnConvolutionBackwardData);
    VARSCOPE_RESOLVE(backward_filter_algorithm, cudnnGetConvolutionBackwardFilterAlgorithm_v7);
    VARSCOPE_RESOLVE(backward_filter_workspace, cudnnGetConvolutionBackwardFilterWorkspaceSize);
    VARSCOPE_RESOLVE(backward_filter, cudnnConvolutionBackwardFilter);
    VARSCOPE_RESOLVE(create_pool, cudnnCreatePoolingDescriptor);
    VARSCOPE_RESOLVE(destroy_pool, cudnnDestroyPoolingDescriptor);
    VARSCOPE_RESOLVE(set_pool, cudnnSetPooling2dDescriptor);
    VARSCOPE_RESOLVE(pool_forward, cudnnPoolingForward);
    VARSCOPE_RESOLVE(pool_backward, cudnnPoolingBackward);
    VARSCOPE_RESOLVE(bn_forward_training, cudnnBatchNormalizationForwardTraining);
    VARSCOPE_RESOLVE(bn_forward_inference, cudnnBatchNormalizationForwardInference);
    VARSCOPE_RESOLVE(bn_backward, cudnnBatchNormalizationBackward);
    VARSCOPE_RESOLVE(scale_tensor, cudnnScaleTensor);
#undef VARSCOPE_RESOLVE
  } catch (...) {
    dlclose(library);
    throw;
  }
  return api;
}

}  // namespace

const CudnnApi& cudnn() {
  static std::once_flag once;
  static CudnnApi api{};
  std::call_once(once, [] { api = open_cudnn(); });
  return api;
}

}  // namespace varscope::runtime::cuda
