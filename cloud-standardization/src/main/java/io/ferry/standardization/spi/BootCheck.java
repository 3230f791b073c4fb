package io.ferry.standardization.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one boot of a registered image showed ({@link CloudPlugin#bootImage}).
 *
 * @param booted whether the health signal was seen
 * @param signal the console line that was the health signal (or, when not booted, the line that
 *     showed the failure), null when there was none
 * @param elapsed from starting the VM to the signal, the failure or the time limit
 * @param detail how the boot was done and how it ended, for people ("KVM, BIOS, exited with 1")
 * @param consoleTail the last lines of the VM's console, oldest first
 */
public record BootCheck(boolean booted, String signal, Duration elapsed, String detail, List<String> consoleTail) {

  public BootCheck {
    Objects.requireNonNull(elapsed, "elapsed");
    consoleTail = List.copyOf(consoleTail == null ? List.of() : consoleTail);
  }
}
