package io.ferry.plugin.vsphere;

import io.ferry.plugin.vsphere.internal.VsphereCloudPlugin;
import io.ferry.plugin.vsphere.internal.VsphereSettings;
import io.ferry.standardization.spi.Capability;
import io.ferry.standardization.spi.CloudAccountConfig;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.CloudPluginFactory;
import io.ferry.standardization.spi.ConfigProperty;
import io.ferry.standardization.spi.PluginContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * VMware vSphere, id {@code vsphere}: an account is a vCenter and one content library in it.
 *
 * <ul>
 *   <li>Images are the library's OVF templates; Ferry's facts about an image (job id, name, boot
 *       mode, architecture, size, OS, cloud layer, tags) are {@code ferry:key=value} lines in the
 *       item's description.
 *   <li>Direct upload writes a streamOptimized VMDK and an OVF descriptor and uploads both through
 *       a library update session; registering marks the item registered (and, with {@code
 *       vmTemplates}, deploys it to a VM marked as a template).
 *   <li>Export downloads the item's VMDK through a download session and reads it with the image
 *       engine.
 *   <li>Helper mode is not offered (see the README).
 * </ul>
 *
 * <p>Settings: {@code url}, {@code username}, {@code datacenter}, {@code datastore} (required),
 * {@code folder}, {@code contentLibrary} (default {@code ferry}, created when absent), {@code
 * trustedCertificate} (PEM), {@code vmTemplates}, {@code resourcePool}; secret {@code password}.
 * Unknown keys are refused.
 */
public final class VsphereCloudPluginFactory implements CloudPluginFactory {

  /** The plugin's id. */
  public static final String ID = "vsphere";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "VMware vSphere";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.LIST_IMAGES,
        Capability.EXPORT_IMAGE,
        Capability.DIRECT_UPLOAD,
        Capability.REGISTER_IMAGE,
        Capability.PRICES);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return VsphereSettings.PROPERTIES;
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    return new VsphereCloudPlugin(VsphereSettings.parse(config), context);
  }
}
