package io.ferry.agent.image;

import io.ferry.standardization.ProgressListener;
import java.io.PrintWriter;

/**
 * Shows conversion progress: a bar redrawn in place on a terminal, otherwise one plain line per
 * 10 percent so logs stay readable.
 */
final class ProgressBar implements ProgressListener {

  private static final int WIDTH = 40;

  private final PrintWriter out;
  private final boolean terminal;
  private int lastShown = -1;

  ProgressBar(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public synchronized void progress(long bytesDone, long bytesTotal) {
    int percent = bytesTotal <= 0 ? 100 : (int) (bytesDone * 100 / bytesTotal);
    if (terminal) {
      if (percent == lastShown) {
        return;
      }
      int filled = percent * WIDTH / 100;
      out.print(
          "\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% "
              + Sizes.human(bytesDone) + " / " + Sizes.human(Math.max(bytesTotal, 0)));
      if (percent == 100) {
        out.println();
      }
      out.flush();
    } else {
      int step = percent / 10 * 10;
      if (step <= lastShown) {
        return;
      }
      out.println("progress: " + step + "%");
      out.flush();
      percent = step;
    }
    lastShown = percent;
  }
}
