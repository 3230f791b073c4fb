package io.ferry.agent.layer;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One run of a guest tool that rebuilds boot files (the initramfs, grub.cfg) in a chroot of the
 * root; the files it changed are {@link ChangeAction#REGENERATED} changes of the same report.
 *
 * @param command the command as run inside the root ({@code update-initramfs -u -k all})
 * @param reason why it ran (which configuration the run changed)
 * @param exitStatus the command's exit status; -1 when it was stopped at its time limit
 * @param seconds how long it took
 * @param output the end of its standard output and error (at most {@link #MAX_OUTPUT} characters)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Regeneration(String command, String reason, int exitStatus, double seconds, String output) {

  /** The most output kept per command, in characters (its end). */
  public static final int MAX_OUTPUT = 16_384;

  /** Whether the command succeeded. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean succeeded() {
    return exitStatus == 0;
  }
}
