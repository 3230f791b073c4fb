package io.ferry.standardization.spi;

/** How a disk boots. */
public enum BootMode {
  BIOS,
  UEFI,
  /** Both a BIOS boot path and an EFI system partition are present. */
  HYBRID,
  UNKNOWN
}
