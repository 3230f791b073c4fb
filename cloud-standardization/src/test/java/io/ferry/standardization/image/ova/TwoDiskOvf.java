package io.ferry.standardization.image.ova;

/**
 * The OVF descriptor of a VM with two disks, for tests across modules: the data disk is listed
 * first in References and DiskSection, the boot disk second, and the virtual hardware attaches the
 * boot disk first, so only a reader that follows the hardware finds the boot disk.
 */
public final class TwoDiskOvf {

  private TwoDiskOvf() {}

  /** Disk ids {@code data} and {@code boot}; capacities in bytes. */
  public static String envelope(String dataHref, long dataCapacity, String bootHref, long bootCapacity) {
    return """
        <?xml version="1.0"?>
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
          <References><File ovf:href="%s" ovf:id="f1"/><File ovf:href="%s" ovf:id="f2"/></References>
          <DiskSection><Info>disks</Info>
            <Disk ovf:diskId="data" ovf:fileRef="f1" ovf:capacity="%d"/>
            <Disk ovf:diskId="boot" ovf:fileRef="f2" ovf:capacity="%d"/>
          </DiskSection>
          <VirtualSystem ovf:id="vm"><Info>vm</Info><VirtualHardwareSection><Info>hw</Info>
            <Item><rasd:HostResource>ovf:/disk/boot</rasd:HostResource><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
            <Item><rasd:HostResource>ovf:/disk/data</rasd:HostResource><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
          </VirtualHardwareSection></VirtualSystem>
        </Envelope>
        """.formatted(dataHref, bootHref, dataCapacity, bootCapacity);
  }
}
