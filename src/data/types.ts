/**
 * Plain-data samples: typed arrays that can cross worker_threads boundaries
 * (transferable) and become tensors only when a batch is assembled.
 */

/** One image (channels-first, float32, any value range) with an optional segmentation mask. */
export interface Sample {
  /** Identifies the source, e.g. the file stem. */
  id: string;
  /** C × H × W, channels first. */
  image: Float32Array;
  channels: number;
  height: number;
  width: number;
  /** H × W class indices (0 = background), when the sample has a mask. */
  mask?: Uint8Array;
  /** A class label, for classification data. */
  label?: number;
}

/** A source of samples by index (files are read lazily or held in memory). */
export interface Dataset {
  readonly length: number;
  /** Number of classes of the masks or labels (2 for binary masks). */
  readonly numClasses: number;
  readonly channels: number;
  get(index: number): Sample | Promise<Sample>;
  /** Where the data came from, for messages and run records. */
  describe(): string;
}
