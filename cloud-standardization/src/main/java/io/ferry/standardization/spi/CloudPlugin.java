package io.ferry.standardization.spi;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import java.time.Duration;
import java.util.List;

/**
 * One cloud account, as the orchestrator drives it. Every operation a plugin does not offer
 * throws {@link FerryException} with {@link ErrorCode#UNSUPPORTED}; a plugin declares what it
 * offers in {@link CloudPluginFactory#capabilities()}. Every resource created for a job carries
 * its {@link JobTag}.
 */
public interface CloudPlugin extends AutoCloseable {

  /** Checks that the credentials work and the configured resources exist. */
  void validate();

  /** Lists the images of the account. */
  default List<ImageInfo> listImages() {
    throw unsupported("listImages");
  }

  /** Describes one image; throws NOT_FOUND when it does not exist. */
  default ImageInfo describeImage(String imageId) {
    throw unsupported("describeImage");
  }

  /** Opens an image's root disk for reading, block by block (the EXPORT step). */
  default DiskImageReader openImage(String imageId, JobTag tag) {
    throw unsupported("openImage");
  }

  /** Starts writing a disk straight into the cloud (direct mode). */
  default DirectUpload openDirectUpload(UploadSpec spec, JobTag tag) {
    throw unsupported("openDirectUpload");
  }

  /** Launches a helper VM (helper mode). */
  default HelperRef launchHelper(HelperSpec spec, JobTag tag) {
    throw unsupported("launchHelper");
  }

  /** Terminates a helper VM; terminating one that is gone is not an error. */
  default void terminateHelper(HelperRef helper) {
    throw unsupported("terminateHelper");
  }

  /** Creates an empty volume of at least {@code sizeBytes}. */
  default VolumeRef createVolume(long sizeBytes, JobTag tag) {
    throw unsupported("createVolume");
  }

  /** Attaches a volume to a helper and returns the device path the helper sees. */
  default String attachVolume(VolumeRef volume, HelperRef helper) {
    throw unsupported("attachVolume");
  }

  /** Detaches a volume; detaching one that is not attached is not an error. */
  default void detachVolume(VolumeRef volume) {
    throw unsupported("detachVolume");
  }

  /** Deletes a volume; deleting one that is gone is not an error. */
  default void deleteVolume(VolumeRef volume) {
    throw unsupported("deleteVolume");
  }

  /** Registers a bootable image from an upload or a detached volume. */
  default RegisteredImage registerImage(RegisterRequest request) {
    throw unsupported("registerImage");
  }

  /** Deletes an image this plugin registered (used when a job is rolled back). */
  default void deleteImage(String imageId) {
    throw unsupported("deleteImage");
  }

  /**
   * Boots a registered image once, on a throwaway copy (the image itself is never written), and
   * waits up to {@code timeout} for a health signal (the VERIFY step's boot check). Everything
   * started for it (a VM, an overlay disk, a console log) carries {@code tag}, is gone when this
   * returns, and is found by {@link #deleteTagged} should the caller crash meanwhile. A boot that
   * fails or gives no signal in time is not an exception: it is a {@link BootCheck} with {@code
   * booted} false; an exception means the check could not be run. Offered by plugins that declare
   * {@link Capability#BOOT_VERIFY}.
   */
  default BootCheck bootImage(String imageId, JobTag tag, Duration timeout) {
    throw unsupported("bootImage");
  }

  /**
   * Deletes every resource tagged with the job except registered images the job kept. Safe to
   * call repeatedly; returns what was deleted and what remains.
   */
  CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds);

  /** The account's prices. */
  default PriceSheet prices() {
    return PriceSheet.free();
  }

  /** Releases clients and connections. */
  @Override
  default void close() {}

  /** The exception for an operation the plugin does not offer. */
  static FerryException unsupported(String operation) {
    return new FerryException(ErrorCode.UNSUPPORTED, "operation not supported by this plugin: " + operation);
  }
}
