package io.ferry.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void plainOutputPrintsOneLinePerTenPercent() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), false);
    for (long done = 0; done <= 1000; done += 7) {
      bar.progress(done, 1000);
    }
    bar.progress(1000, 1000);
    assertThat(text.toString().lines())
        .containsExactly(
            "progress: 0%", "progress: 10%", "progress: 20%", "progress: 30%", "progress: 40%",
            "progress: 50%", "progress: 60%", "progress: 70%", "progress: 80%", "progress: 90%",
            "progress: 100%");
  }

  @Test
  void terminalOutputRedrawsOneLineAndEndsIt() {
    StringWriter text = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(text), true);
    bar.progress(512L << 20, 1L << 30);
    bar.progress(1L << 30, 1L << 30);
    assertThat(text.toString())
        .startsWith("\r[" + "#".repeat(20) + " ".repeat(20) + "] 50% 512.0 MiB / 1.0 GiB")
        .endsWith("] 100% 1.0 GiB / 1.0 GiB" + System.lineSeparator());
  }

  @Test
  void emptyDisksShowComplete() {
    StringWriter text = new StringWriter();
    new ProgressBar(new PrintWriter(text), false).progress(0, 0);
    assertThat(text.toString()).isEqualTo("progress: 100%" + System.lineSeparator());
  }
}
