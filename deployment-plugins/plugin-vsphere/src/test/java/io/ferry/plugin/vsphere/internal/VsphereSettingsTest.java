package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.ConfigProperty;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VsphereSettingsTest {

  private static Map<String, String> minimal() {
    Map<String, String> settings = new HashMap<>();
    settings.put("url", "https://vcenter.example.com/");
    settings.put("username", "administrator@vsphere.local");
    settings.put("datacenter", "DC0");
    settings.put("datastore", "LocalDS_0");
    return settings;
  }

  private static VsphereSettings parse(Map<String, String> settings, Map<String, String> secrets) {
    return VsphereSettings.parse(new CloudAccountConfig("a", null, null, settings, secrets));
  }

  private static FerryException refusal(Map<String, String> settings, Map<String, String> secrets) {
    FerryException failure = catchThrowableOfType(FerryException.class, () -> parse(settings, secrets));
    assertThat(failure).isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    return failure;
  }

  @Test
  void defaultsArePinned() {
    VsphereSettings settings = parse(minimal(), Map.of("password", "p"));
    assertThat(settings.url()).hasToString("https://vcenter.example.com");
    assertThat(settings.library()).isEqualTo("ferry");
    assertThat(settings.folder()).isNull();
    assertThat(settings.trustedCertificatePem()).isNull();
    assertThat(settings.vmTemplates()).isFalse();
    assertThat(settings.resourcePool()).isNull();
    Map<String, String> defaults =
        VsphereSettings.PROPERTIES.stream()
            .filter(property -> property.defaultValue() != null)
            .collect(Collectors.toMap(ConfigProperty::key, ConfigProperty::defaultValue));
    assertThat(defaults).containsExactlyInAnyOrderEntriesOf(Map.of("contentLibrary", "ferry", "vmTemplates", "false"));
  }

  @Test
  void everySettingIsMapped() {
    Map<String, String> all = minimal();
    all.put("folder", "ferry/templates");
    all.put("contentLibrary", "images");
    all.put("vmTemplates", "TRUE");
    all.put("resourcePool", "C0/Resources");
    VsphereSettings settings = parse(all, Map.of("password", "p"));
    assertThat(settings)
        .extracting(VsphereSettings::username, VsphereSettings::password, VsphereSettings::datacenter, VsphereSettings::datastore,
            VsphereSettings::folder, VsphereSettings::library, VsphereSettings::vmTemplates, VsphereSettings::resourcePool)
        .containsExactly("administrator@vsphere.local", "p", "DC0", "LocalDS_0", "ferry/templates", "images", true, "C0/Resources");
    assertThat(settings.toString()).doesNotContain("password=p");
  }

  @Test
  void unknownKeysAndMisplacedSecretsAreRefused() {
    Map<String, String> unknown = minimal();
    unknown.put("datastoreCluster", "x");
    assertThat(refusal(unknown, Map.of("password", "p"))).hasMessageContaining("'datastoreCluster'");
    Map<String, String> passwordAsSetting = minimal();
    passwordAsSetting.put("password", "p");
    assertThat(refusal(passwordAsSetting, Map.of("password", "p"))).hasMessageContaining("secret").hasMessageNotContaining("=p");
    assertThat(refusal(minimal(), Map.of("password", "p", "token", "t"))).hasMessageContaining("'token'");
  }

  @Test
  void eachWrongValueNamesItsSetting() {
    for (String key : new String[] {"url", "username", "datacenter", "datastore"}) {
      Map<String, String> without = minimal();
      without.remove(key);
      assertThat(refusal(without, Map.of("password", "p"))).hasMessageContaining("'" + key + "'");
    }
    assertThat(refusal(minimal(), Map.of())).hasMessageContaining("'password'");
    Map<String, String> url = minimal();
    url.put("url", "ftp://vcenter");
    assertThat(refusal(url, Map.of("password", "p"))).hasMessageContaining("'url'");
    Map<String, String> flag = minimal();
    flag.put("vmTemplates", "yes");
    assertThat(refusal(flag, Map.of("password", "p"))).hasMessageContaining("'vmTemplates'");
    Map<String, String> noPool = minimal();
    noPool.put("vmTemplates", "true");
    assertThat(refusal(noPool, Map.of("password", "p"))).hasMessageContaining("'resourcePool'");
    Map<String, String> notPem = minimal();
    notPem.put("trustedCertificate", "MIIB...");
    assertThat(refusal(notPem, Map.of("password", "p"))).hasMessageContaining("'trustedCertificate'");
  }
}
