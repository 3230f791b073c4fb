package io.ferry.plugin.vsphere;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A vcsim (govmomi's vCenter simulator) on a free loopback port with a self-signed certificate
 * made with openssl, a fixed user and password. Stopped with {@link #close()}.
 */
public final class Vcsim implements AutoCloseable {

  public static final String USERNAME = "ferry";
  public static final String PASSWORD = "vcsim-Passw0rd!";
  public static final String DATACENTER = "DC0";
  public static final String DATASTORE = "LocalDS_0";
  public static final String RESOURCE_POOL = "DC0_C0/Resources";

  private final Process process;
  private final int port;
  private final String certificatePem;
  private final Path directory;
  private final Thread stopAtExit;

  private Vcsim(Process process, int port, String certificatePem, Path directory) {
    this.process = process;
    this.port = port;
    this.certificatePem = certificatePem;
    this.directory = directory;
    this.stopAtExit = new Thread(process::destroyForcibly, "stop-vcsim-" + port);
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** Starts vcsim; its certificate and log go to {@code directory}, deleted by {@link #close()}. */
  public static Vcsim start(Path directory) throws Exception {
    Path binary = binary();
    Files.createDirectories(directory);
    Path certificate = directory.resolve("vcsim.pem");
    Path key = directory.resolve("vcsim.key");
    Process openssl =
        new ProcessBuilder(
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                certificate.toString(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost")
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("openssl.log").toFile())
            .start();
    if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      throw new IllegalStateException("openssl could not make vcsim's certificate: " + Files.readString(directory.resolve("openssl.log")));
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                binary.toString(), "-l", "127.0.0.1:" + port, "-tlscert", certificate.toString(), "-tlskey", key.toString(),
                "-username", USERNAME, "-password", PASSWORD)
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("vcsim.log").toFile())
            .start();
    Vcsim vcsim = new Vcsim(process, port, Files.readString(certificate), directory);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(directory.resolve("vcsim.log")).contains("GOVC_URL")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        vcsim.close();
        throw new IllegalStateException("vcsim did not start: " + Files.readString(directory.resolve("vcsim.log")));
      }
      Thread.sleep(100); // waiting for an external process, no clock to inject
    }
    return vcsim;
  }

  /** The vcsim binary: {@code <repo>/.ferry/bin/vcsim} or on PATH. */
  public static Path binary() {
    Path directory = Path.of("").toAbsolutePath();
    while (directory != null) {
      Path candidate = directory.resolve(".ferry/bin/vcsim");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
      directory = directory.getParent();
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(entry, "vcsim");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "vcsim is not installed (neither .ferry/bin/vcsim nor on PATH): run scripts/test.sh, or"
            + " scripts/test-install.d/40-vcsim.sh, to install it");
  }

  public String url() {
    return "https://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public String certificatePem() {
    return certificatePem;
  }

  /** Account settings for this vcsim with {@code library} as content library. */
  public Map<String, String> settings(String library) {
    Map<String, String> settings = new HashMap<>();
    settings.put("url", url());
    settings.put("username", USERNAME);
    settings.put("datacenter", DATACENTER);
    settings.put("datastore", DATASTORE);
    settings.put("contentLibrary", library);
    settings.put("trustedCertificate", certificatePem);
    return settings;
  }

  public Map<String, String> secrets() {
    return Map.of("password", PASSWORD);
  }

  /** Whether something listens on the port. */
  public boolean listening() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory
    }
  }

}
