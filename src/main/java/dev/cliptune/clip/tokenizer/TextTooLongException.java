package dev.cliptune.clip.tokenizer;

import dev.cliptune.io.UserException;

/**
 * A text whose tokens (with the start and end tokens) do not fit the context length, raised by
 * {@link ClipTokenizer#tokenize(String, int, boolean)} without truncation. The message is the one
 * {@code clip.tokenize} raises: {@code Input {text} is too long for context length {n}}.
 */
public final class TextTooLongException extends UserException {
  private static final long serialVersionUID = 1L;

  private final String text;
  private final int contextLength;
  private final int tokenCount;

  /**
   * @param text the text as it was passed in (before cleaning)
   * @param contextLength the context length it had to fit
   * @param tokenCount the number of tokens it needs, start and end tokens included
   */
  public TextTooLongException(String text, int contextLength, int tokenCount) {
    super("Input " + text + " is too long for context length " + contextLength);
    this.text = text;
    this.contextLength = contextLength;
    this.tokenCount = tokenCount;
  }

  /** The text as it was passed in. */
  public String text() {
    return text;
  }

  /** The context length it had to fit. */
  public int contextLength() {
    return contextLength;
  }

  /** The number of tokens the text needs, start and end tokens included. */
  public int tokenCount() {
    return tokenCount;
  }
}
