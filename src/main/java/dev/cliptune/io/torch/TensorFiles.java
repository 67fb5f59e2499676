package dev.cliptune.io.torch;

import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens any checkpoint file cliptune reads, telling the format from its first bytes, never from its name
 * (CHECKPOINTS.md §0): {@code PK\3\4} a PyTorch zip (torch.save or TorchScript), {@code 80 02} a legacy
 * torch.save stream, an 8-byte length followed by <code>{</code> safetensors. Anything else, or an empty file,
 * is refused with a {@link TorchFileException} ({@code empty-file}, {@code unknown-format}).
 */
public final class TensorFiles {
  private TensorFiles() {}

  public static TensorFile open(Path path) {
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(16);
    } catch (NoSuchFileException e) {
      throw new TorchFileException("not-found", path + ": file not found");
    } catch (IOException e) {
      throw new TorchFileException("unreadable", path + ": cannot read: " + e.getMessage(), e);
    }
    if (head.length == 0) {
      throw new TorchFileException("empty-file", path + ": 0 bytes: the file is empty");
    }
    if (TorchFile.isZip(head) || TorchFile.isLegacy(head)) {
      return TorchFile.open(path);
    }
    if (SafeTensors.looksLikeSafeTensors(path)) {
      return SafeTensors.open(path);
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, head.length); i++) {
      hex.append(String.format("%02x ", head[i]));
    }
    throw new TorchFileException("unknown-format", path + ": not a checkpoint file: its first bytes ("
        + hex.toString().trim() + ") match no known format (safetensors, a PyTorch zip 'PK\\3\\4', a legacy "
        + "torch.save stream 80 02)");
  }
}
