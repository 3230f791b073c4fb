package io.ferry.standardization.image.ova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.ova.OvfWriter.Firmware;
import io.ferry.standardization.image.ova.OvfWriter.Hardware;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class OvfWriterTest {

  private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
  private static final String RASD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
  private static final String VSSD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
  private static final String VMW = "http://www.vmware.com/schema/ovf";

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void describesOneStreamOptimizedDiskOnAScsiControllerWithEscapedNames() throws Exception {
    Document document =
        parse(OvfWriter.envelope("web <1> & \"co\"", "disk-1.vmdk", 12345, 8L << 30, Hardware.DEFAULT));
    Element file = (Element) document.getElementsByTagNameNS(OVF, "File").item(0);
    assertThat(file.getAttributeNS(OVF, "href")).isEqualTo("disk-1.vmdk");
    assertThat(file.getAttributeNS(OVF, "size")).isEqualTo("12345");
    Element disk = (Element) document.getElementsByTagNameNS(OVF, "Disk").item(0);
    assertThat(disk.getAttributeNS(OVF, "capacity")).isEqualTo(Long.toString(8L << 30));
    assertThat(disk.getAttributeNS(OVF, "fileRef")).isEqualTo("file1");
    assertThat(disk.getAttributeNS(OVF, "format")).endsWith("vmdk.html#streamOptimized");
    assertThat(document.getElementsByTagNameNS(OVF, "Name").item(0).getTextContent()).isEqualTo("web <1> & \"co\"");
    Element system = (Element) document.getElementsByTagNameNS(OVF, "VirtualSystem").item(0);
    assertThat(system.getAttributeNS(OVF, "id")).isEqualTo("web <1> & \"co\"");
    assertThat(document.getElementsByTagNameNS(VSSD, "VirtualSystemType").item(0).getTextContent()).isEqualTo("vmx-10");
    assertThat(document.getElementsByTagNameNS(RASD, "HostResource").item(0).getTextContent()).isEqualTo("ovf:/disk/vmdisk1");
    assertThat(document.getElementsByTagNameNS(VMW, "Config").getLength()).as("BIOS writes no firmware").isZero();
  }

  @Test
  void hardwareIsWrittenAsGivenAndEfiFirmwareAsVmwareConfig() throws Exception {
    Hardware hardware = new Hardware(4, 8192, "vmx-13", Firmware.BIOS).withFirmware(Firmware.EFI);
    Document document = parse(OvfWriter.envelope("uefi", "disk-1.vmdk", 1, 1L << 20, hardware));
    assertThat(document.getElementsByTagNameNS(VSSD, "VirtualSystemType").item(0).getTextContent()).isEqualTo("vmx-13");
    assertThat(document.getElementsByTagNameNS(RASD, "VirtualQuantity").item(0).getTextContent()).isEqualTo("4");
    assertThat(document.getElementsByTagNameNS(RASD, "VirtualQuantity").item(1).getTextContent()).isEqualTo("8192");
    Element config = (Element) document.getElementsByTagNameNS(VMW, "Config").item(0);
    assertThat(config.getParentNode().getLocalName()).isEqualTo("VirtualHardwareSection");
    assertThat(config.getAttributeNS(VMW, "key")).isEqualTo("firmware");
    assertThat(config.getAttributeNS(VMW, "value")).isEqualTo("efi");
    assertThat(config.getAttributeNS(OVF, "required")).isEqualTo("false");
  }

  @Test
  void impossibleHardwareIsRefused() {
    FerryException failure = catchThrowableOfType(FerryException.class, () -> new Hardware(0, 2048, "vmx-10", Firmware.BIOS));
    assertThat(failure.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(failure.getMessage()).contains("0 CPUs");
  }
}
