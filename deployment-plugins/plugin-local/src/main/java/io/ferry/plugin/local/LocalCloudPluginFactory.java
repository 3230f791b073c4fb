package io.ferry.plugin.local;

import io.ferry.plugin.local.internal.LocalCloudPlugin;
import io.ferry.plugin.local.internal.LocalSettings;
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
 * The local cloud, id {@code local}: an account is a directory on this machine.
 *
 * <ul>
 *   <li>{@code images/}: image files in any format Ferry reads (detected by magic), each with an
 *       optional sidecar {@code <file>.ferry.json} (name, OS, architecture, boot mode, cloud
 *       layer, tags, creation time). Files without a sidecar are described from the file: format
 *       and size from its headers, boot mode from its partition table, the account's layer. An
 *       image's id is its file name; its version changes whenever the file is rewritten.
 *   <li>{@code uploads/}: direct uploads being written, in the account's format; registering one
 *       moves it atomically into {@code images/}.
 *   <li>{@code volumes/}: sparse raw files; a helper gets the file's path from {@code
 *       attachVolume} and loop-mounts it itself; {@code detachVolume} releases whatever mounts and
 *       loop devices are left on it.
 *   <li>{@code helpers/}: logs and temporary folders ({@code <id>.tmp}, the helper's {@code
 *       java.io.tmpdir}) of helpers, which are guest-agent processes ({@code java -jar <agentJar>}
 *       with the lines of the helper's bootstrap as arguments and its {@code env.*} settings as
 *       environment), killed with their children on terminate; what they left mounted in their
 *       temporary folder is unmounted before it is deleted.
 *   <li>{@code boots/}: boot checks ({@code bootImage}): a qcow2 overlay backed by the image (which
 *       QEMU opens read-only), OVMF variables for UEFI images and the serial console's log, all
 *       named {@code boot-<job>-<random>.*} and deleted when the check ends; the QEMU process
 *       carries the overlay's path on its command line, so cleanup finds it after a crash.
 *   <li>{@code ferry-registry.json}: what each job created, written before it is created, so that
 *       {@code deleteTagged} finds everything after a crash (it also finds resources by name,
 *       sidecar tag and helper command line, should the registry be lost).
 * </ul>
 *
 * <p>Settings (see {@link LocalSettings}): {@code directory} (required), {@code format} (of
 * registered images, default qcow2), {@code layer} (the cloud layer the account's images carry),
 * {@code maxVolumeBytes}, {@code agentJar}, {@code bootAccelerator} (auto, kvm or tcg). Unknown keys and any secret are refused.
 */
public final class LocalCloudPluginFactory implements CloudPluginFactory {

  /** The plugin's id. */
  public static final String ID = "local";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String displayName() {
    return "Local directory";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.LIST_IMAGES,
        Capability.EXPORT_IMAGE,
        Capability.DIRECT_UPLOAD,
        Capability.HELPER_MODE,
        Capability.REGISTER_IMAGE,
        Capability.BOOT_VERIFY,
        Capability.PRICES);
  }

  @Override
  public List<ConfigProperty> configProperties() {
    return LocalSettings.PROPERTIES;
  }

  @Override
  public CloudPlugin create(CloudAccountConfig config, PluginContext context) {
    return new LocalCloudPlugin(LocalSettings.parse(config), context);
  }
}
