// Run-time ISA dispatch for the CPU loops. The library is built for generic x86-64; a
// function marked VS_CPU_CLONES is compiled once per ISA level and the loader's resolver
// picks the best clone for the CPU at hand, once. Helpers called from a clone are marked
// VS_CPU_INLINE so that they are compiled into each clone (with its vector width).
// -ffp-contract=off holds in every clone: + - * / stay single IEEE operations, no FMA.
#pragma once

// GCC only: clang (the fuzz preset) does not multiversion function templates, so its
// builds keep the generic x86-64 code, which is correct, only narrower.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VS_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VS_CPU_CLONES
#endif

#define VS_CPU_INLINE inline __attribute__((always_inline))
// After a lambda's parameter list: its body is inlined into the calling clone too.
#define VS_CPU_LAMBDA __attribute__((always_inline))
