package dev.cliptune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.parity.Compare;
import dev.cliptune.hub.OfficialClip;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --model} grammar, and {@link Clip#load} on a checkpoint file with its tokenizer beside it. */
class ModelSpecTest {
  @TempDir
  Path tmp;

  @BeforeEach
  void clipCache() throws IOException {
    System.setProperty(OfficialClip.CACHE_DIR_PROPERTY, Files.createDirectories(tmp.resolve("clip-cache")).toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(OfficialClip.CACHE_DIR_PROPERTY);
  }

  @Test
  void directoriesFilesAndTheBuiltinModel() throws IOException {
    Path file = Files.write(tmp.resolve("w.pt"), new byte[] {1});
    assertThat(ModelSpec.resolve(tmp.toString())).isEqualTo(new ModelSpec.Resolved(ModelSpec.Kind.DIRECTORY,
        tmp.toString(), tmp));
    assertThat(ModelSpec.resolve(file.toString()).kind()).isEqualTo(ModelSpec.Kind.FILE);
    assertThat(ModelSpec.resolve(ModelSpec.BUILTIN_TINY).path().resolve("model.safetensors")).isRegularFile();
    assertThatThrownBy(() -> ModelSpec.resolve("builtin:huge")).hasMessageContaining("the only built-in model is");
  }

  @Test
  void officialNamesAreLookedUpInTheClipCacheAndChecked() throws IOException {
    Path cache = OfficialClip.defaultCacheDir();
    assertThatThrownBy(() -> ModelSpec.resolve("ViT-B/16"))
        .hasMessageContaining(cache.resolve("ViT-B-16.pt").toString())
        .hasMessageContaining("https://openaipublic.azureedge.net/clip/models/"
            + "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt")
        .hasMessageContaining("failed");
    Files.write(cache.resolve("RN50.pt"), new byte[] {1, 2, 3});
    // a cached file whose checksum does not match is downloaded again, as clip.load does (tests reach no server)
    assertThatThrownBy(() -> ModelSpec.resolve("RN50"))
        .hasMessageContaining("does not match the SHA256 in its URL")
        .hasMessageContaining("afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt failed");
    assertThat(ModelSpec.OFFICIAL).containsKeys("RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B/32",
        "ViT-B/16", "ViT-L/14", "ViT-L/14@336px");
    assertThatThrownBy(() -> ModelSpec.resolve("vit-b-16")).hasMessageContaining("did you mean the official name 'ViT-B/16'");
  }

  @Test
  void hubSpecsAndBareRepositoryNames() throws IOException {
    assertThatThrownBy(() -> ModelSpec.resolve("hf-hub:openai/clip-vit-base-patch16@refs/pr/10"))
        .hasMessageContaining("openai/clip-vit-base-patch16 at refs/pr/10");
    assertThatThrownBy(() -> ModelSpec.resolve("hf-hub:no-slash")).hasMessageContaining("expected hf-hub:ORG/NAME");
    assertThatThrownBy(() -> ModelSpec.resolve("laion/CLIP-ViT-B-32-laion2B-s34B-b79K"))
        .hasMessageContaining("HuggingFace hub (laion/CLIP-ViT-B-32-laion2B-s34B-b79K)");
    // a local path wins over a repository name
    Path local = Files.createDirectories(tmp.resolve("org/name"));
    assertThat(ModelSpec.resolve(local.toString()).kind()).isEqualTo(ModelSpec.Kind.DIRECTORY);
    assertThatThrownBy(() -> ModelSpec.resolve(tmp.resolve("missing.pt").toString()))
        .hasMessageContaining("no such file or directory");
  }

  @Test
  void parseNamesWhatASpecIsWithoutFetchingIt() throws IOException {
    Path file = Files.write(tmp.resolve("w.pt"), new byte[] {1});
    assertThat(ModelSpec.parse("hf-hub:laion/CLIP-ViT-B-32@refs/pr/3")).isEqualTo(new ModelSpec.Parsed(
        ModelSpec.Kind.HF_HUB, "hf-hub:laion/CLIP-ViT-B-32@refs/pr/3", "--model hf-hub:laion/CLIP-ViT-B-32@refs/pr/3",
        null, "laion/CLIP-ViT-B-32", "refs/pr/3"));
    assertThat(ModelSpec.parse("openai/clip-vit-base-patch16")).satisfies(p -> {
      assertThat(p.kind()).isEqualTo(ModelSpec.Kind.HF_HUB);
      assertThat(p.repoId()).isEqualTo("openai/clip-vit-base-patch16");
      assertThat(p.revision()).isNull();
    });
    // nothing was fetched: the clip cache is still empty, and official names parse without their file
    assertThat(ModelSpec.parse("ViT-L/14@336px").kind()).isEqualTo(ModelSpec.Kind.OFFICIAL);
    assertThat(OfficialClip.defaultCacheDir()).isEmptyDirectory();
    assertThat(ModelSpec.parse(file.toString()).path()).isEqualTo(file);
    assertThat(java.util.stream.Stream.of("RN50", "a/b", "hf-hub:a/b", tmp.toString(), file.toString(),
        ModelSpec.BUILTIN_TINY).filter(s -> ModelSpec.parse(s).downloadable())).containsExactly("RN50", "a/b",
        "hf-hub:a/b");
    assertThatThrownBy(() -> ModelSpec.parse("ViT-B16", "ViT-B16")).hasMessageStartingWith("ViT-B16: no such file"
        + " or directory (did you mean the official name 'ViT-B/16'?)");
    assertThatThrownBy(() -> ModelSpec.parse("rn50x4")).hasMessageContaining("did you mean the official name 'RN50x4'");
    assertThatThrownBy(() -> ModelSpec.parse(" ")).hasMessageStartingWith("--model: empty; expected");
  }

  /** A user's {@code ViT-B-16.pt}-like TorchScript file with the official-format BPE file beside it. */
  @Test
  void clipLoadsATorchScriptFileWithTheBpeFileBesideIt() throws IOException {
    Path set = Shared.checkpoints();
    Path dir = Files.createDirectories(tmp.resolve("cache"));
    Path pt = Files.copy(set.resolve("vit/openai-jit.pt"), dir.resolve("ViT-tiny.pt"));
    Files.copy(set.resolve("vit/config.json"), dir.resolve("config.json"));
    assertThatThrownBy(() -> Clip.load(pt)).hasMessageContaining("no tokenizer beside the weights")
        .hasMessageContaining(Clip.OFFICIAL_BPE);
    Files.copy(set.resolve("tokenizer/bpe_trunc_2000.txt.gz"), dir.resolve(Clip.OFFICIAL_BPE));
    try (Clip clip = Clip.load(pt.toString()); SafeTensors ref = SafeTensors.open(set.resolve("vit/reference.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      long[] want = ref.longs("text_tokens");
      String[] prompts = {"a photo of a golden retriever.", "a photo of a Tabby cat.", "a photo of a airliner.",
          "a photo of a sunflower.", "a photo of a Mercedes-Benz 300SL."};
      long[] got = new long[prompts.length * 77];
      for (int i = 0; i < prompts.length; i++) {
        System.arraycopy(clip.tokenizer().tokenize(prompts[i], 77, false), 0, got, i * 77, 77);
      }
      assertThat(got).containsExactly(want);
      float[] features = clip.model().encodeText(m.create(got, new Shape(prompts.length, 77))).toFloatArray();
      double err = Compare.maxAbs(features, ref.floats("text_features"));
      System.out.printf("TorchScript file, text features: max abs err %.3e (tol 1e-4)%n", err);
      assertThat(err).isLessThanOrEqualTo(1e-4);
    }
  }
}
