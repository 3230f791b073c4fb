package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.plugin.vsphere.RecordingHttpClient;
import io.ferry.plugin.vsphere.Vcsim;
import io.ferry.plugin.vsphere.VsphereCloudPluginFactory;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.UploadSpec;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong account settings against vcsim: each gives a clear error naming what is wrong, the
 * password never appears in it, and nothing is created in vCenter (no library, no item, no
 * session).
 */
class VsphereAccountErrorsIT {

  private static Vcsim vcsim;

  @TempDir Path directory;

  @BeforeAll
  static void startVcsim() throws Exception {
    vcsim = Vcsim.start(Files.createTempDirectory("ferry-vcsim-errors"));
  }

  @AfterAll
  static void stopVcsim() throws Exception {
    if (vcsim != null) {
      vcsim.close();
    }
  }

  @Test
  void wrongPasswordIsAnAuthenticationFailureAndCreatesNothing() {
    String library = freshLibrary();
    FerryException validate = failure(withSecrets(settings(library), Map.of("password", "not-the-password")), CloudPlugin::validate);
    assertThat(validate.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
    assertThat(validate.retryable()).isFalse();
    assertThat(validate.getMessage()).contains("user '" + Vcsim.USERNAME + "'").doesNotContain("not-the-password");
    FerryException upload = failure(withSecrets(settings(library), Map.of("password", "not-the-password")), this::upload);
    assertThat(upload.code()).isEqualTo(ErrorCode.CLOUD_AUTHENTICATION_FAILED);
    assertNothingCreated(library);
  }

  @Test
  void unknownDatastoreIsAnInvalidRequestNamingTheSettingAndCreatesNothing() {
    String library = freshLibrary();
    Map<String, String> settings = settings(library);
    settings.put("datastore", "NoSuchDatastore");
    for (CloudPluginAction action : new CloudPluginAction[] {CloudPlugin::validate, this::upload}) {
      FerryException failure = failure(config(settings), action);
      assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(failure.getMessage()).contains("'datastore'").contains("NoSuchDatastore").contains(Vcsim.DATACENTER);
    }
    assertNothingCreated(library);
  }

  @Test
  void unknownDatacenterFolderAndResourcePoolNameTheirSetting() {
    String library = freshLibrary();
    Map<String, Map<String, String>> wrong =
        Map.of(
            "datacenter", Map.of("datacenter", "NoSuchDatacenter"),
            "folder", Map.of("folder", "no/such/folder"),
            "resourcePool", Map.of("vmTemplates", "true", "resourcePool", "NoSuchCluster/Resources"));
    wrong.forEach(
        (key, values) -> {
          Map<String, String> settings = settings(library);
          settings.putAll(values);
          FerryException failure = failure(config(settings), CloudPlugin::validate);
          assertThat(failure.code()).as(key).isEqualTo(ErrorCode.INVALID_REQUEST);
          assertThat(failure.getMessage()).as(key).contains("'" + key + "'");
        });
    assertNothingCreated(library);
  }

  @Test
  void unknownContentLibraryIsNotFoundNamingTheSettingAndReadingDoesNotCreateIt() {
    String library = freshLibrary();
    Map<String, String> settings = settings(library);
    assertThat(failure(config(settings), plugin -> plugin.describeImage("some-item")).code()).isEqualTo(ErrorCode.NOT_FOUND);
    FerryException export = failure(config(settings), plugin -> plugin.openImage("some-item", new JobTag("errors")));
    assertThat(export.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(export.getMessage()).contains("'contentLibrary'").contains(library);
    try (CloudPlugin plugin = new VsphereCloudPluginFactory().create(config(settings), context())) {
      assertThat(plugin.listImages()).isEmpty();
      assertThat(plugin.deleteTagged(new JobTag("errors"), java.util.List.of()).deleted()).isEmpty();
    }
    assertNothingCreated(library);
  }

  @Test
  void serverThatIsDownIsUnavailableAndRetryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> settings = settings(freshLibrary());
    settings.put("url", "https://127.0.0.1:" + closedPort);
    for (CloudPluginAction action : new CloudPluginAction[] {CloudPlugin::validate, this::upload, CloudPlugin::listImages}) {
      FerryException failure = failure(config(settings), action);
      assertThat(failure.code()).isEqualTo(ErrorCode.CLOUD_UNAVAILABLE);
      assertThat(failure.retryable()).isTrue();
      assertThat(failure.getMessage()).contains("127.0.0.1:" + closedPort).contains("unreachable");
    }
  }

  @Test
  void selfSignedCertificateIsRefusedUnlessTrustedExplicitly() throws Exception {
    String library = freshLibrary();
    Map<String, String> settings = settings(library);
    settings.remove("trustedCertificate");
    FerryException untrusted = failure(config(settings), CloudPlugin::validate);
    assertThat(untrusted.code()).isEqualTo(ErrorCode.CLOUD_REQUEST_REJECTED);
    assertThat(untrusted.getMessage()).contains("TLS").contains("trustedCertificate");

    Vcsim other = Vcsim.start(directory.resolve("other-vcsim"));
    try {
      settings.put("trustedCertificate", other.certificatePem());
      FerryException wrongCertificate = failure(config(settings), CloudPlugin::validate);
      assertThat(wrongCertificate.code()).as("another server's certificate is no trust").isEqualTo(ErrorCode.CLOUD_REQUEST_REJECTED);
    } finally {
      other.close();
    }
    assertNothingCreated(library);
  }

  @Test
  void malformedSettingsAreRefusedBeforeAnyCall() {
    Map<String, String> notAUrl = settings(freshLibrary());
    notAUrl.put("url", "vcenter.example.com");
    assertThat(catchThrowableOfType(FerryException.class, () -> new VsphereCloudPluginFactory().create(config(notAUrl), context())))
        .hasMessageContaining("'url'");
    Map<String, String> badCertificate = settings(freshLibrary());
    badCertificate.put("trustedCertificate", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    assertThat(catchThrowableOfType(FerryException.class, () -> new VsphereCloudPluginFactory().create(config(badCertificate), context())))
        .hasMessageContaining("'trustedCertificate'");
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface CloudPluginAction {
    void run(CloudPlugin plugin) throws Exception;
  }

  private void upload(CloudPlugin plugin) throws Exception {
    plugin.openDirectUpload(new UploadSpec("never", 1L << 20, BootMode.BIOS, Architecture.X86_64), new JobTag("errors")).close();
  }

  /**
   * What {@code action} fails with, on a plugin for {@code config}; also checks that every REST
   * session the plugin opened was deleted when it was closed.
   */
  private FerryException failure(CloudAccountConfig config, CloudPluginAction action) {
    VsphereSettings settings = VsphereSettings.parse(config);
    RecordingHttpClient http = new RecordingHttpClient(VsphereRest.httpClient(settings));
    FerryException failure = null;
    try (CloudPlugin plugin = new VsphereCloudPlugin(settings, context(), http)) {
      action.run(plugin);
    } catch (FerryException e) {
      failure = e;
    } catch (Exception e) {
      throw new AssertionError("expected a FerryException, got " + e, e);
    }
    if (failure == null) {
      throw new AssertionError("expected a FerryException, nothing was thrown");
    }
    long logins = http.calls().stream().filter(call -> call.equals("POST /rest/com/vmware/cis/session -> 200 basic")).count();
    long logouts = http.calls().stream().filter(call -> call.equals("DELETE /rest/com/vmware/cis/session -> 200 session")).count();
    assertThat(logouts).as("REST sessions deleted at close: %s", http.calls()).isEqualTo(logins);
    return failure;
  }

  /** No library, session or job tag was made, and no SOAP session is left but the inspector's. */
  private void assertNothingCreated(String library) {
    VsphereSettings settings = VsphereSettings.parse(config(settings(library)));
    try (VsphereRest rest = new VsphereRest(settings, VsphereRest.httpClient(settings));
        VimInventory inspector = new VimInventory(settings, VsphereRest.httpClient(settings))) {
      assertThat(new ContentLibrary(rest).findLibrary(library)).as("library %s", library).isNull();
      assertThat(rest.get(ContentLibrary.UPDATE_SESSION)).as("update sessions").isEmpty();
      assertThat(rest.get(ContentLibrary.DOWNLOAD_SESSION)).as("download sessions").isEmpty();
      assertThat(new JobTags(rest).find("errors")).as("job tag").isEmpty();
      assertThat(inspector.sessionUsers()).as("SOAP sessions left (only the inspector's own)").hasSize(1);
    }
  }

  private static String freshLibrary() {
    return "ferry-errors-" + UUID.randomUUID();
  }

  private static Map<String, String> settings(String library) {
    return new HashMap<>(vcsim.settings(library));
  }

  private static CloudAccountConfig config(Map<String, String> settings) {
    return withSecrets(settings, vcsim.secrets());
  }

  private static CloudAccountConfig withSecrets(Map<String, String> settings, Map<String, String> secrets) {
    return new CloudAccountConfig("vsphere-errors", null, null, settings, secrets);
  }

  private PluginContext context() {
    return new PluginContext() {
      @Override
      public Clock clock() {
        return Clock.systemUTC();
      }

      @Override
      public Path scratchDirectory() {
        return directory.resolve("scratch");
      }
    };
  }
}
