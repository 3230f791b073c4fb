package io.ferry.standardization.image;

/** What a range of a virtual disk holds. */
public enum ExtentType {
  /** Allocated and holding data (which may still happen to be zeros). */
  DATA,
  /** Allocated as zeros by the format (qcow2 zero clusters, VMDK zero grains): reads as zeros. */
  ZERO,
  /** Never allocated: reads as zeros and is not stored. */
  UNALLOCATED;

  /** Whether the range must be read to know its content. */
  public boolean holdsData() {
    return this == DATA;
  }
}
