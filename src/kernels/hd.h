// Marks code that both backends compile: nvcc for the device, the host compiler for the
// CPU backend. Files in src/kernels/ include nothing from src/host/.
#pragma once

#if defined(__CUDACC__)
#define VS_HD __host__ __device__
#else
#define VS_HD
#endif
