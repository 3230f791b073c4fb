package io.ferry.plugin.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.standardization.spi.BootMode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class OvfEnvelopeTest {

  private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";

  private static Document parse(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void describesOneStreamOptimizedDiskOnAScsiController() throws Exception {
    Document document = parse(OvfEnvelope.write("web <1> & co", "disk-1.vmdk", 12345, 8L << 30, BootMode.BIOS));
    Element file = (Element) document.getElementsByTagNameNS(OVF, "File").item(0);
    assertThat(file.getAttributeNS(OVF, "href")).isEqualTo("disk-1.vmdk");
    assertThat(file.getAttributeNS(OVF, "size")).isEqualTo("12345");
    Element disk = (Element) document.getElementsByTagNameNS(OVF, "Disk").item(0);
    assertThat(disk.getAttributeNS(OVF, "capacity")).isEqualTo(Long.toString(8L << 30));
    assertThat(disk.getAttributeNS(OVF, "fileRef")).isEqualTo("file1");
    assertThat(document.getElementsByTagNameNS(OVF, "Name").item(0).getTextContent()).isEqualTo("web <1> & co");
    assertThat(document.getElementsByTagNameNS("http://www.vmware.com/schema/ovf", "Config").getLength()).isZero();
  }

  @Test
  void uefiImagesGetEfiFirmware() throws Exception {
    Document document = parse(OvfEnvelope.write("uefi", "disk-1.vmdk", 1, 1L << 20, BootMode.UEFI));
    Element config = (Element) document.getElementsByTagNameNS("http://www.vmware.com/schema/ovf", "Config").item(0);
    assertThat(config.getAttributeNS("http://www.vmware.com/schema/ovf", "key")).isEqualTo("firmware");
    assertThat(config.getAttributeNS("http://www.vmware.com/schema/ovf", "value")).isEqualTo("efi");
  }
}
