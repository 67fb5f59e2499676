package dev.cliptune.world;

/**
 * The attributes a pretraining group of hard negatives can vary (see {@link PretrainSampler}): the
 * captions of such a group always name the varied attribute, so the contrastive loss can only tell
 * the pairs apart by reading it in the image and in the caption.
 */
public enum Attribute {
  SHAPE,
  COLOUR,
  PATTERN,
  COUNT
}
