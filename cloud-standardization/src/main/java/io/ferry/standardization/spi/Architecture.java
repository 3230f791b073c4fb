package io.ferry.standardization.spi;

/** The CPU architecture an image runs on. */
public enum Architecture {
  X86_64,
  ARM64,
  UNKNOWN
}
