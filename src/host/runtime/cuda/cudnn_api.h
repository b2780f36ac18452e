// cuDNN, opened when the first convolution or pool runs on a CUDA session (as cuBLAS is
// opened: a CPU-only process, or a CUDA one without these ops, never maps it). The entry
// points are the few the CUDA backend calls, typed from cuDNN's own header.
#pragma once

#include <cudnn.h>

namespace varscope::runtime::cuda {

struct CudnnApi {
  decltype(&cudnnCreate) create;
  decltype(&cudnnDestroy) destroy;
  decltype(&cudnnSetStream) set_stream;
  decltype(&cudnnGetErrorString) error_string;
  decltype(&cudnnCreateTensorDescriptor) create_tensor;
  decltype(&cudnnDestroyTensorDescriptor) destroy_tensor;
  decltype(&cudnnSetTensor4dDescriptorEx) set_tensor;
  decltype(&cudnnCreateFilterDescriptor) create_filter;
  decltype(&cudnnDestroyFilterDescriptor) destroy_filter;
  decltype(&cudnnSetFilter4dDescriptor) set_filter;
  decltype(&cudnnCreateConvolutionDescriptor) create_conv;
  decltype(&cudnnDestroyConvolutionDescriptor) destroy_conv;
  decltype(&cudnnSetConvolution2dDescriptor) set_conv;
  decltype(&cudnnSetConvolutionMathType) set_conv_math;
  decltype(&cudnnGetConvolutionForwardAlgorithm_v7) forward_algorithm;
  decltype(&cudnnGetConvolutionForwardWorkspaceSize) forward_workspace;
  decltype(&cudnnConvolutionForward) forward;
  decltype(&cudnnGetConvolutionBackwardDataAlgorithm_v7) backward_data_algorithm;
  decltype(&cudnnGetConvolutionBackwardDataWorkspaceSize) backward_data_workspace;
  decltype(&cudnnConvolutionBackwardData) backward_data;
  decltype(&cudnnGetConvolutionBackwardFilterAlgorithm_v7) backward_filter_algorithm;
  decltype(&cudnnGetConvolutionBackwardFilterWorkspaceSize) backward_filter_workspace;
  decltype(&cudnnConvolutionBackwardFilter) backward_filter;
  decltype(&cudnnCreatePoolingDescriptor) create_pool;
  decltype(&cudnnDestroyPoolingDescriptor) destroy_pool;
  decltype(&cudnnSetPooling2dDescriptor) set_pool;
  decltype(&cudnnPoolingForward) pool_forward;
  decltype(&cudnnPoolingBackward) pool_backward;
  decltype(&cudnnBatchNormalizationForwardTraining) bn_forward_training;
  decltype(&cudnnBatchNormalizationForwardInference) bn_forward_inference;
  decltype(&cudnnBatchNormalizationBackward) bn_backward;
  decltype(&cudnnScaleTensor) scale_tensor;
};

// libcudnn.so.<the headers' major version>, opened once (thread-safe) and kept for the
// process's life. vs::UnavailableError naming the loader's error where it cannot be opened
// or lacks an entry point; asked again, it tries again.
const CudnnApi& cudnn();

}  // namespace varscope::runtime::cuda
