/**
 * The hermetic vision-language world (WORLD.md): a deterministic, pure-Java miniature of CLIP's
 * situation, so that pretraining, zero-shot, prompt learning and the papers' protocols can run end to
 * end without downloads.
 *
 * <ul>
 *   <li><b>Scenes</b> ({@link dev.cliptune.world.Scene}): one to four objects with a
 *       {@link dev.cliptune.world.Shape} (12 distinct silhouettes), {@link dev.cliptune.world.Colour}
 *       (12), {@link dev.cliptune.world.Pattern} (14, drawn in a shade of the colour),
 *       {@link dev.cliptune.world.ObjectSize}, {@link dev.cliptune.world.Position} and
 *       {@link dev.cliptune.world.Background}, or a close-up texture swatch; plus nuisance
 *       parameters. {@link dev.cliptune.world.SceneSpace} is a distribution over scenes.
 *   <li><b>Rendering</b>: {@link dev.cliptune.world.Renderer#render} in five
 *       {@link dev.cliptune.world.Style}s that act as domains (plain, photo, sketch, rendition,
 *       pixel art).
 *   <li><b>Captions</b>: {@link dev.cliptune.world.Captions#caption} — alt-text-like, varied
 *       word orders and frames, with missing and generic words.
 *   <li><b>Pretraining pairs</b>: {@link dev.cliptune.world.PretrainSampler} over a
 *       {@link dev.cliptune.world.PretrainMix} (styles weighted unevenly, like the web).
 *   <li><b>Tokenizer</b>: {@link dev.cliptune.world.WorldTokenizer} — CLIP-format
 *       {@code vocab.json}/{@code merges.txt} in which every word of
 *       {@link dev.cliptune.world.Vocabulary} is one token.
 *   <li><b>Downstream datasets</b>: {@link dev.cliptune.world.WorldDatasets#standard()} and
 *       {@link dev.cliptune.world.World#write}, which writes them in the CoOp layout with
 *       {@code split_zhou_<Name>.json} files and a {@code world.json};
 *       {@code cli.commands.WorldCommand} is the {@code cliptune world} command.
 * </ul>
 */
package dev.cliptune.world;
