package io.ferry.standardization.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic disk content for tests: text, random bytes and zero runs, region by region. */
public final class TestData {

  private TestData() {}

  /**
   * Fills {@code disk} region by region ({@code region} bytes each): a quarter of the regions stay
   * zero, a quarter get compressible text, the rest random bytes.
   */
  public static void fill(byte[] disk, int region, long seed) {
    Random random = new Random(seed);
    byte[] words = "ferry bundle chunk manifest kernel initramfs grub cloud-init /etc/fstab UUID= \n"
        .getBytes(StandardCharsets.US_ASCII);
    for (int start = 0; start < disk.length; start += region) {
      int end = Math.min(disk.length, start + region);
      int kind = random.nextInt(4);
      if (kind == 0) {
        continue;
      }
      if (kind == 1) {
        for (int index = start; index < end; index++) {
          disk[index] = words[(index * 7 + random.nextInt(3)) % words.length];
        }
      } else {
        byte[] noise = new byte[end - start];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, disk, start, noise.length);
      }
    }
  }

  /** {@code size} bytes filled by {@link #fill}. */
  public static byte[] disk(int size, int region, long seed) {
    byte[] disk = new byte[size];
    fill(disk, region, seed);
    return disk;
  }
}
