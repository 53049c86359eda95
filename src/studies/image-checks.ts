/**
 * Checks of image splits before a search starts: arrays that match their
 * shape, labels that are classes, and one image size the network can take.
 * A mistake found here costs nothing; found in the retraining, it costs the
 * whole search.
 */
import type { ImageSplit, Splits } from '../data/types';
import { InvalidOptionError } from '../errors';

/** Throws InvalidOptionError (option "data") when `split`'s arrays do not match its shape or a label is no class. */
export function checkSplit(split: ImageSplit, name: string, numClasses: number): void {
  if (split.x.length !== split.n * split.height * split.width || split.labels.length !== split.n) {
    throw new InvalidOptionError(
      `option "data": ${name} split arrays do not match n = ${split.n}, ${split.height}x${split.width}`, 'data');
  }
  // a label outside 0..numClasses-1 is a row of zeros to tf.oneHot: a wrong target, trained on in silence
  for (let i = 0; i < split.n; i++) {
    const l = split.labels[i];
    if (!(Number.isInteger(l) && l >= 0 && l < numClasses)) {
      throw new InvalidOptionError(`option "data": ${name} split label ${l} at index ${i} is not a class of 0..${numClasses - 1}`, 'data');
    }
  }
}

/** The smallest side the network takes: two 3 x 3 valid convolutions and a 2 x 2 pooling leave 1 x 1 of 6 x 6. */
export const MIN_IMAGE_SIZE = 6;

/**
 * Without `imageSize` the network sees the images as they are: every split
 * must have the train images' size (a test set of another size would fail
 * only in the retraining, after the whole search), at least MIN_IMAGE_SIZE.
 */
export function checkImageSizes(data: Splits<ImageSplit>, imageSize: number | undefined): void {
  if (imageSize !== undefined) return;
  const { height: h, width: w } = data.train;
  for (const name of ['train', 'val', 'test'] as const) {
    const s = data[name];
    // a trial needs no test split; when there is one it is checked now, not after the search
    if (s === undefined && name === 'test') continue;
    if (s.height !== h || s.width !== w) {
      throw new InvalidOptionError(
        `option "data": ${name} images are ${s.height}x${s.width} but train images are ${h}x${w} (imageSize resizes them to one size)`, 'data');
    }
  }
  if (h < MIN_IMAGE_SIZE || w < MIN_IMAGE_SIZE) {
    throw new InvalidOptionError(
      `option "data": images are ${h}x${w}; the network needs at least ${MIN_IMAGE_SIZE}x${MIN_IMAGE_SIZE} (or imageSize to resize them)`, 'data');
  }
}
