package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI's ModifiedResNet image encoder ({@code clip/model.py}), frozen, in evaluation mode: a stem of three 3x3
 * convolutions (the first with stride 2) each followed by BatchNorm and ReLU, then {@code AvgPool2d(2)}; four
 * stages of {@link Bottleneck} blocks with planes w, 2w, 4w, 8w and strides 1, 2, 2, 2; the {@link AttentionPool2d}.
 * BatchNorm always uses the running statistics (the official trainers keep the image encoder in evaluation mode).
 *
 * <p>Probe names (the checkpoint fixtures' {@code debug/*}): {@code stem/relu1}, {@code stem/relu2},
 * {@code stem/relu3}, {@code stem}, {@code layer1} .. {@code layer4}, {@code attnpool}.
 */
public final class ModifiedResNet {
  private final ConvBn stem1;
  private final ConvBn stem2;
  private final ConvBn stem3;
  private final List<List<Bottleneck>> stages = new ArrayList<>();
  private final AttentionPool2d attnpool;

  /**
   * @param load    gives the frozen weight of an OpenAI state-dict name ({@code visual.conv1.weight}, ...)
   * @param manager owns arrays the tower derives from the weights (the folded BatchNorm)
   * @param foldBatchNorm fold each BatchNorm into the convolution before it instead of running libtorch's
   *     {@code batch_norm} after it
   */
  public ModifiedResNet(ResNetConfig cfg, Function<String, NDArray> load, NDManager manager, boolean foldBatchNorm) {
    double eps = cfg.batchNormEps();
    stem1 = new ConvBn(load, manager, "visual.conv1.weight", "visual.bn1", 2, foldBatchNorm, eps);
    stem2 = new ConvBn(load, manager, "visual.conv2.weight", "visual.bn2", 1, foldBatchNorm, eps);
    stem3 = new ConvBn(load, manager, "visual.conv3.weight", "visual.bn3", 1, foldBatchNorm, eps);
    long inplanes = cfg.width();
    for (int s = 0; s < 4; s++) {
      long planes = (long) cfg.width() << s;
      List<Bottleneck> blocks = new ArrayList<>();
      for (int i = 0; i < cfg.layers().get(s); i++) {
        int stride = i == 0 && s > 0 ? 2 : 1;
        blocks.add(new Bottleneck(load, manager, "visual.layer" + (s + 1) + "." + i + ".", inplanes, planes, stride,
            foldBatchNorm, eps));
        inplanes = planes * Bottleneck.EXPANSION;
      }
      stages.add(blocks);
    }
    attnpool = new AttentionPool2d(load, manager, cfg.heads());
  }

  /** Image features {@code [B, E]} of normalised pixels {@code [B, 3, R, R]}, in the manager of {@code pixels}. */
  public NDArray forward(NDArray pixels, Probe probe) {
    NDArray x;
    try (NDArray a = stem1.forwardRelu(pixels)) {
      probe.record("stem/relu1", a);
      try (NDArray b = stem2.forwardRelu(a)) {
        probe.record("stem/relu2", b);
        try (NDArray c = stem3.forwardRelu(b)) {
          probe.record("stem/relu3", c);
          x = Bottleneck.avgPool(c, 2);
        }
      }
    }
    probe.record("stem", x);
    for (int s = 0; s < stages.size(); s++) {
      for (Bottleneck block : stages.get(s)) {
        NDArray next = block.forward(x);
        x.close();
        x = next;
      }
      probe.record("layer" + (s + 1), x);
    }
    NDArray out = attnpool.forward(x);
    x.close();
    probe.record("attnpool", out);
    return out;
  }

  /**
   * The OpenAI state-dict names and shapes of this tower's weights ({@code visual.*}), in {@code clip/model.py}'s
   * registration order; BatchNorm's {@code num_batches_tracked} counters are not weights and are left out.
   */
  public static Map<String, long[]> shapes(ResNetConfig cfg, long embedDim) {
    Map<String, long[]> m = new LinkedHashMap<>();
    long w = cfg.width();
    conv(m, "visual.conv1.weight", w / 2, 3, 3);
    bn(m, "visual.bn1", w / 2);
    conv(m, "visual.conv2.weight", w / 2, w / 2, 3);
    bn(m, "visual.bn2", w / 2);
    conv(m, "visual.conv3.weight", w, w / 2, 3);
    bn(m, "visual.bn3", w);
    long inplanes = w;
    for (int s = 0; s < 4; s++) {
      long planes = w << s;
      for (int i = 0; i < cfg.layers().get(s); i++) {
        String p = "visual.layer" + (s + 1) + "." + i + ".";
        int stride = i == 0 && s > 0 ? 2 : 1;
        conv(m, p + "conv1.weight", planes, inplanes, 1);
        bn(m, p + "bn1", planes);
        conv(m, p + "conv2.weight", planes, planes, 3);
        bn(m, p + "bn2", planes);
        conv(m, p + "conv3.weight", planes * Bottleneck.EXPANSION, planes, 1);
        bn(m, p + "bn3", planes * Bottleneck.EXPANSION);
        if (stride > 1 || inplanes != planes * Bottleneck.EXPANSION) {
          conv(m, p + "downsample.0.weight", planes * Bottleneck.EXPANSION, inplanes, 1);
          bn(m, p + "downsample.1", planes * Bottleneck.EXPANSION);
        }
        inplanes = planes * Bottleneck.EXPANSION;
      }
    }
    long c = cfg.attnPoolWidth();
    long g = cfg.grid();
    m.put("visual.attnpool.positional_embedding", new long[] {g * g + 1, c});
    for (String proj : new String[] {"k_proj", "q_proj", "v_proj"}) {
      m.put("visual.attnpool." + proj + ".weight", new long[] {c, c});
      m.put("visual.attnpool." + proj + ".bias", new long[] {c});
    }
    m.put("visual.attnpool.c_proj.weight", new long[] {embedDim, c});
    m.put("visual.attnpool.c_proj.bias", new long[] {embedDim});
    return m;
  }

  private static void conv(Map<String, long[]> m, String name, long out, long in, long k) {
    m.put(name, new long[] {out, in, k, k});
  }

  private static void bn(Map<String, long[]> m, String prefix, long c) {
    for (String s : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
      m.put(prefix + s, new long[] {c});
    }
  }

  /** Whether an OpenAI name is a BatchNorm counter ({@code *.num_batches_tracked}): stored, never used. */
  public static boolean isBatchNormCounter(String name) {
    return name.endsWith(".num_batches_tracked");
  }
}
