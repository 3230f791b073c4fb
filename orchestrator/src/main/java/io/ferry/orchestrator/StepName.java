package io.ferry.orchestrator;

/** The steps of one migration, in the order they run (see DESIGN.md, "The data path"). */
public enum StepName {
  /** Check policies, estimate cost and time. */
  PLAN,
  /** Read the source image's root disk into a sparse scratch volume. */
  EXPORT,
  /** Remove the source cloud's layer and record what was removed. */
  STRIP,
  /** Store the stripped disk as the cloud-agnostic bundle. */
  BUNDLE,
  /** Allocate a scratch volume (direct mode) or launch a helper with a volume (helper mode). */
  PREPARE_TARGET,
  /** Unbundle the chunks onto the volume, verifying every hash. */
  RESTORE,
  /** Add the target cloud's layer. */
  INJECT,
  /** Stream the disk to the target (direct mode) or detach the volume (helper mode). */
  UPLOAD,
  /** Create the bootable image in the target cloud. */
  REGISTER,
  /** Compare the whole-disk digest; boot the image where the plugin can. */
  VERIFY,
  /** Delete every resource tagged with the job except the registered image. */
  CLEANUP
}
