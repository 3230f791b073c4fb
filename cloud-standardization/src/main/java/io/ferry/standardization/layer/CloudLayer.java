package io.ferry.standardization.layer;

import java.util.Objects;

/**
 * One cloud's layer, read from its data file: how to recognise it, what to strip and what to
 * inject.
 *
 * @param id the cloud id, also the data file's name ({@code aws} for {@code aws.json})
 * @param name a readable name
 * @param detect the signals that show the layer is present
 * @param strip what the agent removes or disables when this cloud is the source
 * @param inject what the agent adds when this cloud is the target
 */
public record CloudLayer(
    String id, String name, LayerDetection detect, LayerStrip strip, LayerInject inject) {

  public CloudLayer {
    Objects.requireNonNull(id, "id");
    name = name == null ? id : name;
    detect = detect == null ? LayerDetection.EMPTY : detect;
    strip = strip == null ? LayerStrip.EMPTY : strip;
    Objects.requireNonNull(inject, "inject");
  }

  /** The cloud-init configuration file the agent writes when injecting this layer. */
  public String injectedCloudInitFile() {
    return "/etc/cloud/cloud.cfg.d/99_ferry-" + id + ".cfg";
  }

  /** The dracut configuration file the agent writes when injecting this layer's drivers. */
  public String injectedDracutFile() {
    return "/etc/dracut.conf.d/ferry-" + id + ".conf";
  }

  /** The GRUB drop-in (Debian family) the agent writes with this layer's kernel arguments. */
  public String injectedGrubDropIn() {
    return "/etc/default/grub.d/90-ferry-" + id + ".cfg";
  }
}
