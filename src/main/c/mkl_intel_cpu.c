/*
 * cliptune's MKL CPU-check shim (docs/ARCHITECTURE.md, "The MKL shim").
 *
 * libtorch statically links Intel MKL and exports MKL's CPU-vendor checks from libtorch_cpu.so. On x86-64 CPUs
 * whose vendor is not Intel, MKL's dispatcher takes its generic code path although the CPU has the instructions
 * of the fast one (AVX2 / AVX-512 FMA). MKL still selects kernels by the CPU's feature flags; only the vendor
 * test is answered here. libtorch_cpu.so calls both functions through its PLT, so a library preloaded with
 * LD_PRELOAD supplies them. It changes which exact fp32 kernels run (results may differ in the last bits, as
 * between any two BLAS builds), nothing else.
 *
 * Built by src/main/c/mkl-shim.sh during ./mvnw package when a C compiler exists; bin/cliptune preloads it on
 * non-Intel x86-64 CPUs unless CLIPTUNE_MKL_SHIM=0.
 */

/* MKL: "is this a genuine Intel CPU (with the instruction sets its fast paths need)?" */
int mkl_serv_intel_cpu_true(void) { return 1; }

/* MKL: the vendor check behind mkl_serv_intel_cpu_true. */
int mkl_serv_intel_cpu(void) { return 1; }

/* Marker the JVM finds in /proc/self/maps and tests look up: which library answered. */
const char cliptune_mkl_shim[] = "cliptune MKL CPU-check shim 1";
