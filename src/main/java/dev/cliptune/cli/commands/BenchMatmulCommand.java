package dev.cliptune.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.clip.Precision;
import dev.cliptune.io.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune bench matmul}: the fp32 GEMM path this process takes and its rates, in a few seconds. */
@Command(name = "matmul", mixinStandardHelpOptions = true,
    description = {"Which fp32 GEMM path libtorch takes here (MKL's own, or its fast path via cliptune's shim) and",
        "the plain (median) and best (fastest call) rates of a 2048^3 product and of the ViT-B/16 batch-8 linears;",
        "with --bf16 also their bfloat16 rates."})
public final class BenchMatmulCommand implements Callable<Integer> {
  @Option(names = "--json", paramLabel = "FILE")
  Path json;

  @Option(names = "--calls", defaultValue = "9", description = "timed calls per shape; default ${DEFAULT-VALUE}")
  int calls;

  @Option(names = "--bf16", description = "also the same products in bfloat16 (needs avx512_bf16; --precision bf16)")
  boolean bf16;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    MatmulRate.Yardstick sq = MatmulRate.measure(2048, calls);
    System.out.println(sq.line("matmul_2048"));
    out.put("gemm", sq.path().json());
    out.put("matmul_2048", sq.json());
    int tokens = 8 * 197; // one image-tower call: 8 ViT-B/16 images
    int[][] shapes = {{tokens, 768, 2304}, {tokens, 768, 768}, {tokens, 768, 3072}, {tokens, 3072, 768}};
    String[] ids = {"vit_b8_qkv", "vit_b8_out", "vit_b8_fc", "vit_b8_proj"};
    for (int i = 0; i < shapes.length; i++) {
      MatmulRate.Yardstick y = MatmulRate.measure(shapes[i][0], shapes[i][1], shapes[i][2], calls);
      System.out.printf("%-16s fp32 %-24s plain %6.1f GFLOP/s, best %6.1f GFLOP/s%n", ids[i], y.shape(),
          y.plainGflops(), y.bestGflops());
      out.put(ids[i], y.json());
    }
    System.out.printf("best of the process: %.1f GFLOP/s%n", MatmulRate.processBest());
    if (bf16) {
      Precision.BF16.requireSupported();
      for (int i = -1; i < shapes.length; i++) {
        int[] s = i < 0 ? new int[] {2048, 2048, 2048} : shapes[i];
        String id = (i < 0 ? "matmul_2048" : ids[i]) + "_bf16";
        MatmulRate.Yardstick y = MatmulRate.measureBf16(s[0], s[1], s[2], calls);
        System.out.printf("%-16s bf16 %-24s plain %6.1f GFLOP/s, best %6.1f GFLOP/s%n", id, y.shape(),
            y.plainGflops(), y.bestGflops());
        out.put(id, y.json());
      }
    }
    if (json != null) {
      AtomicFiles.writeString(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(out) + "\n");
      System.out.println("wrote " + json);
    }
    return 0;
  }
}
