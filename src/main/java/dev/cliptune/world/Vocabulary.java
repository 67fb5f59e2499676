package dev.cliptune.world;

import dev.cliptune.zeroshot.Templates;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * Every word the world's text encoder needs: the caption vocabulary ({@link Captions#words()}),
 * the words of all class names and zero-shot templates of the standard datasets, the 7-template
 * ImageNet ensemble ({@code itap of a {}.} etc.) and CoOp's context placeholder {@code x}.
 */
public final class Vocabulary {
  private Vocabulary() {}

  private static final java.util.regex.Pattern PIECE =
      java.util.regex.Pattern.compile("\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+");

  /** The sorted word list (lower case; punctuation pieces such as {@code .} included). */
  public static List<String> words() {
    return List.copyOf(words(WorldDatasets.standard()));
  }

  /** The words for the given datasets. */
  public static TreeSet<String> words(List<DatasetSpec> datasets) {
    TreeSet<String> words = Captions.words();
    for (DatasetSpec d : datasets) {
      for (String c : d.classNames()) {
        addPieces(words, c.replace('_', ' '));
      }
      addPieces(words, d.template().replace("{}", " "));
    }
    for (String t : Templates.SELECT_7) {
      addPieces(words, t.replace("{}", " "));
    }
    words.add("x");
    return words;
  }

  /** The pieces of {@code text} as CLIP's pre-tokeniser splits them (letter runs, punctuation). */
  public static List<String> pieces(String text) {
    List<String> out = new java.util.ArrayList<>();
    Matcher m = PIECE.matcher(text.toLowerCase(java.util.Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static void addPieces(TreeSet<String> words, String text) {
    words.addAll(pieces(text));
  }
}
