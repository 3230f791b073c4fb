package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.spi.BootMode;

/**
 * The OVF 1.0 descriptor of a one-disk VM whose disk is a streamOptimized VMDK, as vSphere's
 * content library and OVF deploy accept: two vCPUs, 2 GiB memory, an LSI Logic SCSI controller
 * with the disk, EFI firmware for UEFI images.
 */
final class OvfEnvelope {

  private OvfEnvelope() {}

  static String write(String name, String diskFile, long diskFileSize, long capacity, BootMode bootMode) {
    String safeName = VimInventory.xml(name);
    String firmware =
        bootMode == BootMode.UEFI
            ? "      <vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>\n"
            : "";
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
            xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
            xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
            xmlns:vmw="http://www.vmware.com/schema/ovf" ovf:version="1.0">
          <References>
            <File ovf:href="%s" ovf:id="file1" ovf:size="%d"/>
          </References>
          <DiskSection>
            <Info>Virtual disk information</Info>
            <Disk ovf:capacity="%d" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1"
                ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
          </DiskSection>
          <VirtualSystem ovf:id="%s">
            <Info>A virtual machine</Info>
            <Name>%s</Name>
            <OperatingSystemSection ovf:id="1">
              <Info>The kind of installed guest operating system</Info>
            </OperatingSystemSection>
            <VirtualHardwareSection>
              <Info>Virtual hardware requirements</Info>
              <System>
                <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                <vssd:InstanceID>0</vssd:InstanceID>
                <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>
                <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
              </System>
              <Item>
                <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                <rasd:Description>Number of Virtual CPUs</rasd:Description>
                <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
                <rasd:InstanceID>1</rasd:InstanceID>
                <rasd:ResourceType>3</rasd:ResourceType>
                <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
              </Item>
              <Item>
                <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                <rasd:Description>Memory Size</rasd:Description>
                <rasd:ElementName>2048MB of memory</rasd:ElementName>
                <rasd:InstanceID>2</rasd:InstanceID>
                <rasd:ResourceType>4</rasd:ResourceType>
                <rasd:VirtualQuantity>2048</rasd:VirtualQuantity>
              </Item>
              <Item>
                <rasd:Address>0</rasd:Address>
                <rasd:Description>SCSI Controller</rasd:Description>
                <rasd:ElementName>SCSI Controller 0</rasd:ElementName>
                <rasd:InstanceID>3</rasd:InstanceID>
                <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
                <rasd:ResourceType>6</rasd:ResourceType>
              </Item>
              <Item>
                <rasd:AddressOnParent>0</rasd:AddressOnParent>
                <rasd:ElementName>Hard Disk 1</rasd:ElementName>
                <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
                <rasd:InstanceID>4</rasd:InstanceID>
                <rasd:Parent>3</rasd:Parent>
                <rasd:ResourceType>17</rasd:ResourceType>
              </Item>
        %s    </VirtualHardwareSection>
          </VirtualSystem>
        </Envelope>
        """
        .formatted(VimInventory.xml(diskFile), diskFileSize, capacity, safeName, safeName, safeName, firmware);
  }
}
