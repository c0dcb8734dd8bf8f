/* cublas-sgemm: cuBLAS's own SGEMM throughput (device buffers, CUDA events), the reference
 * bench/gpu.sh sets the runtime's figures against. usage: cublas-sgemm [tf32] */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    bool tf32 = argc > 1 && strcmp(argv[1], "tf32") == 0;
    cublasHandle_t h;
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) {
        fprintf(stderr, "cublas-sgemm: cublasCreate failed\n");
        return 1;
    }
    cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    const int sizes[] = { 512, 1024, 2048, 4096, 8192 };
    for (int s = 0; s < 5; s++) {
        int n = sizes[s];
        size_t bytes = (size_t)n * n * sizeof(float);
        float *a, *b, *c;
        cudaMalloc(&a, bytes);
        cudaMalloc(&b, bytes);
        cudaMalloc(&c, bytes);
        cudaMemset(a, 0, bytes);
        cudaMemset(b, 0, bytes);
        float one = 1, zero = 0;
        cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n);
        cudaEvent_t e0, e1;
        cudaEventCreate(&e0);
        cudaEventCreate(&e1);
        int reps = n >= 4096 ? 10 : 50;
        cudaEventRecord(e0);
        for (int i = 0; i < reps; i++)
            cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n, b, n, &zero, c, n);
        cudaEventRecord(e1);
        cudaEventSynchronize(e1);
        float ms = 0;
        cudaEventElapsedTime(&ms, e0, e1);
        double tflops = 2.0 * n * n * (double)n * reps / (ms * 1e-3) / 1e12;
        printf("cublas n=%d tf32=%d tflops=%.2f\n", n, tf32 ? 1 : 0, tflops);
        cudaFree(a);
        cudaFree(b);
        cudaFree(c);
    }
    cublasDestroy(h);
    return 0;
}
