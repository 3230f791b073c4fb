package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one vSphere account, parsed strictly: unknown keys, missing required keys and
 * malformed values are refused with INVALID_REQUEST naming the key.
 *
 * @param url the vCenter base URL, such as {@code https://vcenter.example.com}
 * @param username the vCenter user
 * @param password the user's password (a secret)
 * @param datacenter the datacenter's name
 * @param datastore the name of the datastore that backs the content library (and deployed VMs)
 * @param folder a VM folder path below the datacenter's VM folder, or null for the root
 * @param library the content library's name; created when absent
 * @param trustedCertificatePem a PEM certificate to trust for TLS besides the JDK's roots, or null
 * @param vmTemplates whether registered images are also deployed to a VM marked as a template
 * @param resourcePool a resource pool path below the datacenter's host folder, needed for VMs
 */
public record VsphereSettings(
    URI url,
    String username,
    String password,
    String datacenter,
    String datastore,
    String folder,
    String library,
    String trustedCertificatePem,
    boolean vmTemplates,
    String resourcePool) {

  /** The content library used when none is configured. */
  public static final String DEFAULT_LIBRARY = "ferry";

  /** Every key an account accepts. */
  public static final List<ConfigProperty> PROPERTIES =
      List.of(
          new ConfigProperty("url", "vCenter base URL, https://host[:port]", true, false, null),
          new ConfigProperty("username", "vCenter user name", true, false, null),
          new ConfigProperty("password", "vCenter password", true, true, null),
          new ConfigProperty("datacenter", "datacenter name", true, false, null),
          new ConfigProperty(
              "datastore", "datastore that backs the content library and deployed VMs", true, false, null),
          new ConfigProperty(
              "folder", "VM folder path below the datacenter's vm folder (for template VMs)", false, false, null),
          new ConfigProperty(
              "contentLibrary", "content library name; created on the datastore when absent", false, false,
              DEFAULT_LIBRARY),
          new ConfigProperty(
              "trustedCertificate",
              "PEM certificate (or chain) to trust for TLS in addition to the JDK's trusted roots,"
                  + " e.g. a self-signed vCenter certificate; TLS is always verified",
              false, false, null),
          new ConfigProperty(
              "vmTemplates", "also deploy each registered image to a VM marked as a template (true/false)",
              false, false, "false"),
          new ConfigProperty(
              "resourcePool",
              "resource pool path below the datacenter's host folder, e.g. Cluster/Resources;"
                  + " required when vmTemplates is true",
              false, false, null));

  /** Parses and checks an account configuration. */
  public static VsphereSettings parse(CloudAccountConfig config) {
    Set<String> settingKeys = new HashSet<>();
    Set<String> secretKeys = new HashSet<>();
    for (ConfigProperty property : PROPERTIES) {
      (property.secret() ? secretKeys : settingKeys).add(property.key());
    }
    for (String key : config.settings().keySet()) {
      if (!settingKeys.contains(key)) {
        throw invalid(
            secretKeys.contains(key)
                ? "vSphere setting '" + key + "' is a secret and must be given as one, not as a plain setting"
                : "unknown vSphere setting '" + key + "'; known settings: " + settingKeys);
      }
    }
    for (String key : config.secrets().keySet()) {
      if (!secretKeys.contains(key)) {
        throw invalid("unknown vSphere secret '" + key + "'; known secrets: " + secretKeys);
      }
    }
    Map<String, String> settings = config.settings();
    URI url = parseUrl(required(settings, "url"));
    String username = required(settings, "username");
    String password = config.secrets().get("password");
    if (password == null || password.isEmpty()) {
      throw invalid("vSphere secret 'password' is required");
    }
    String datacenter = required(settings, "datacenter");
    String datastore = required(settings, "datastore");
    String folder = optional(settings, "folder");
    String library = settings.getOrDefault("contentLibrary", DEFAULT_LIBRARY).trim();
    if (library.isEmpty()) {
      throw invalid("vSphere setting 'contentLibrary' must not be blank");
    }
    String certificate = optional(settings, "trustedCertificate");
    if (certificate != null && !certificate.contains("-----BEGIN CERTIFICATE-----")) {
      throw invalid("vSphere setting 'trustedCertificate' must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    boolean vmTemplates = parseBoolean(settings.getOrDefault("vmTemplates", "false"));
    String resourcePool = optional(settings, "resourcePool");
    if (vmTemplates && resourcePool == null) {
      throw invalid("vSphere setting 'resourcePool' is required when 'vmTemplates' is true");
    }
    return new VsphereSettings(
        url, username, password, datacenter, datastore, folder, library, certificate, vmTemplates, resourcePool);
  }

  @Override
  public String toString() {
    return "VsphereSettings[url=" + url + ", username=" + username + ", password=(hidden), datacenter="
        + datacenter + ", datastore=" + datastore + ", folder=" + folder + ", library=" + library
        + ", trustedCertificate=" + (trustedCertificatePem != null) + ", vmTemplates=" + vmTemplates
        + ", resourcePool=" + resourcePool + "]";
  }

  private static URI parseUrl(String text) {
    try {
      URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
        throw invalid("vSphere setting 'url' must be an https://host[:port] URL, got '" + text + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw invalid("vSphere setting 'url' is not a URL: '" + text + "'");
    }
  }

  private static boolean parseBoolean(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid("vSphere setting 'vmTemplates' must be true or false, got '" + text + "'");
    };
  }

  private static String required(Map<String, String> settings, String key) {
    String value = optional(settings, key);
    if (value == null) {
      throw invalid("vSphere setting '" + key + "' is required");
    }
    return value;
  }

  private static String optional(Map<String, String> settings, String key) {
    String value = settings.get(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static FerryException invalid(String message) {
    return new FerryException(ErrorCode.INVALID_REQUEST, message);
  }
}
