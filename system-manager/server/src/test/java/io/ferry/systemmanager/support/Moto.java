package io.ferry.systemmanager.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A moto server (PyPI {@code moto[server]}, installed by scripts/test.sh into .ferry/venv) on a
 * free loopback port: plugin-aws's faithful_moto.py, run with moto_server's own Python, which
 * keeps what RegisterImage is given. Stopped by {@link #close()}.
 */
public final class Moto implements AutoCloseable {

  private final Process process;
  private final int port;

  private Moto(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** moto_server in the project's virtual environment. */
  public static Path executable(Path projectRoot) {
    return projectRoot.resolve(".ferry/venv/bin/moto_server");
  }

  /** Starts moto with its log in {@code folder} and waits until it accepts connections. */
  public static Moto start(Path projectRoot, Path folder) throws IOException, InterruptedException {
    Path motoServer = executable(projectRoot);
    Path script = projectRoot.resolve(
        "deployment-plugins/plugin-aws/src/test/resources/io/ferry/plugin/aws/faithful_moto.py");
    assertThat(script).isRegularFile();
    String python = motoServer.resolveSibling("python").toString();
    String firstLine = Files.readAllLines(motoServer, StandardCharsets.ISO_8859_1).get(0);
    if (firstLine.startsWith("#!") && !firstLine.contains(" ")) {
      python = firstLine.substring(2).trim();
    }
    int port = freePort();
    Path log = Files.createDirectories(folder).resolve("moto.log");
    Process process = new ProcessBuilder(python, script.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
        .directory(folder.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!accepting(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        throw new AssertionError("moto did not start on port " + port + ": " + Files.readString(log));
      }
      Thread.sleep(100); // waiting for an external process to listen, no clock to inject
    }
    return new Moto(process, port);
  }

  /** The endpoint, {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A free loopback port. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepting(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
  }
}
