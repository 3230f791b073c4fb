package io.ferry.standardization.spi;

/** What a plugin can do. The contract test skips, explicitly, what a plugin does not declare. */
public enum Capability {
  /** Lists and describes images. */
  LIST_IMAGES,
  /** Opens an image's root disk for reading (the EXPORT step). */
  EXPORT_IMAGE,
  /** Writes a disk straight into the cloud (EBS direct, NFC, local files). */
  DIRECT_UPLOAD,
  /** Launches helper VMs and attaches volumes to them (the patent's helper mode). */
  HELPER_MODE,
  /** Registers a bootable image from an uploaded disk or a detached volume. */
  REGISTER_IMAGE,
  /** Boots a registered image and waits for a health signal. */
  BOOT_VERIFY,
  /** Publishes a price sheet. */
  PRICES
}
