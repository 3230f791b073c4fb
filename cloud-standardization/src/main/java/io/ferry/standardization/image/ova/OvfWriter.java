package io.ferry.standardization.image.ova;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Builds an OVF 1.0 envelope (DSP0243) for one virtual system with minimal hardware: CPUs,
 * memory, an LSI Logic SCSI controller and one streamOptimized VMDK disk on it, as vSphere's
 * content library, OVF deploy and cloud import services (AWS VM Import) accept. Used by the OVA
 * writer of this package and by plugins that upload an OVF descriptor beside a VMDK (vSphere).
 *
 * <p>Text values (name, file name) are XML-escaped; the result is a UTF-8 XML document as a string.
 */
public final class OvfWriter {

  static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
  static final String VMW = "http://www.vmware.com/schema/ovf";
  static final String RASD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
  static final String VSSD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
  static final String STREAM_OPTIMIZED =
      "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

  /** The firmware the virtual machine boots with. */
  public enum Firmware {
    /** Legacy BIOS: nothing is written (every OVF consumer's default). */
    BIOS,
    /** UEFI: written as VMware's {@code <vmw:Config vmw:key="firmware" vmw:value="efi"/>}. */
    EFI
  }

  /**
   * The virtual hardware described.
   *
   * @param cpus number of virtual CPUs, at least 1
   * @param memoryMebibytes memory in MiB, at least 1
   * @param virtualSystemType VMware hardware family, e.g. {@code vmx-10}
   * @param firmware BIOS or EFI
   */
  public record Hardware(int cpus, long memoryMebibytes, String virtualSystemType, Firmware firmware) {
    /** Two CPUs, 2 GiB, {@code vmx-10}, BIOS: what the OVA writer describes. */
    public static final Hardware DEFAULT = new Hardware(2, 2048, "vmx-10", Firmware.BIOS);

    /** Checks the values. */
    public Hardware {
      if (cpus < 1 || memoryMebibytes < 1 || virtualSystemType == null || virtualSystemType.isBlank() || firmware == null) {
        throw new FerryException(
            ErrorCode.INVALID_REQUEST,
            "OVF hardware needs at least 1 CPU, 1 MiB memory, a system type and a firmware: " + cpus + " CPUs, "
                + memoryMebibytes + " MiB, " + virtualSystemType + ", " + firmware);
      }
    }

    /** The same hardware booting with {@code other} firmware. */
    public Hardware withFirmware(Firmware other) {
      return new Hardware(cpus, memoryMebibytes, virtualSystemType, other);
    }
  }

  private OvfWriter() {}

  /**
   * The OVF descriptor of one virtual system named {@code name} with one disk.
   *
   * @param name the virtual system's id and name
   * @param diskFile the disk file's name as referenced ({@code ovf:href}), relative to the descriptor
   * @param diskFileSize the disk file's size in bytes
   * @param capacity the disk's virtual size in bytes
   * @param hardware CPUs, memory, hardware family, firmware
   * @return the XML document
   */
  public static String envelope(String name, String diskFile, long diskFileSize, long capacity, Hardware hardware) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      Document document = factory.newDocumentBuilder().newDocument();
      Element envelope = document.createElementNS(OVF, "Envelope");
      envelope.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:ovf", OVF);
      envelope.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:rasd", RASD);
      envelope.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:vssd", VSSD);
      if (hardware.firmware() == Firmware.EFI) {
        envelope.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:vmw", VMW);
      }
      envelope.setAttributeNS(OVF, "ovf:version", "1.0");
      document.appendChild(envelope);

      Element references = child(envelope, OVF, "References");
      Element file = child(references, OVF, "File");
      file.setAttributeNS(OVF, "ovf:href", diskFile);
      file.setAttributeNS(OVF, "ovf:id", "file1");
      file.setAttributeNS(OVF, "ovf:size", Long.toString(diskFileSize));

      Element disks = child(envelope, OVF, "DiskSection");
      text(disks, OVF, "Info", "Virtual disk information");
      Element disk = child(disks, OVF, "Disk");
      disk.setAttributeNS(OVF, "ovf:capacity", Long.toString(capacity));
      disk.setAttributeNS(OVF, "ovf:capacityAllocationUnits", "byte");
      disk.setAttributeNS(OVF, "ovf:diskId", "vmdisk1");
      disk.setAttributeNS(OVF, "ovf:fileRef", "file1");
      disk.setAttributeNS(OVF, "ovf:format", STREAM_OPTIMIZED);

      Element system = child(envelope, OVF, "VirtualSystem");
      system.setAttributeNS(OVF, "ovf:id", name);
      text(system, OVF, "Info", "A virtual machine");
      text(system, OVF, "Name", name);
      Element os = child(system, OVF, "OperatingSystemSection");
      os.setAttributeNS(OVF, "ovf:id", "1");
      text(os, OVF, "Info", "The kind of installed guest operating system");
      Element hardwareSection = child(system, OVF, "VirtualHardwareSection");
      text(hardwareSection, OVF, "Info", "Virtual hardware requirements");
      Element systemSettings = child(hardwareSection, OVF, "System");
      text(systemSettings, VSSD, "vssd:ElementName", "Virtual Hardware Family");
      text(systemSettings, VSSD, "vssd:InstanceID", "0");
      text(systemSettings, VSSD, "vssd:VirtualSystemIdentifier", name);
      text(systemSettings, VSSD, "vssd:VirtualSystemType", hardware.virtualSystemType());
      // RASD elements in the alphabetical order the CIM schema prescribes.
      item(hardwareSection,
          new String[][] {
            {"AllocationUnits", "hertz * 10^6"},
            {"Description", "Number of Virtual CPUs"},
            {"ElementName", hardware.cpus() + " virtual CPU(s)"},
            {"InstanceID", "1"},
            {"ResourceType", "3"},
            {"VirtualQuantity", Integer.toString(hardware.cpus())}
          });
      item(hardwareSection,
          new String[][] {
            {"AllocationUnits", "byte * 2^20"},
            {"Description", "Memory Size"},
            {"ElementName", hardware.memoryMebibytes() + "MB of memory"},
            {"InstanceID", "2"},
            {"ResourceType", "4"},
            {"VirtualQuantity", Long.toString(hardware.memoryMebibytes())}
          });
      item(hardwareSection,
          new String[][] {
            {"Address", "0"},
            {"Description", "SCSI Controller"},
            {"ElementName", "SCSI Controller 0"},
            {"InstanceID", "3"},
            {"ResourceSubType", "lsilogic"},
            {"ResourceType", "6"}
          });
      item(hardwareSection,
          new String[][] {
            {"AddressOnParent", "0"},
            {"ElementName", "Hard Disk 1"},
            {"HostResource", "ovf:/disk/vmdisk1"},
            {"InstanceID", "4"},
            {"Parent", "3"},
            {"ResourceType", "17"}
          });
      if (hardware.firmware() == Firmware.EFI) {
        Element firmware = child(hardwareSection, VMW, "vmw:Config");
        firmware.setAttributeNS(OVF, "ovf:required", "false");
        firmware.setAttributeNS(VMW, "vmw:key", "firmware");
        firmware.setAttributeNS(VMW, "vmw:value", "efi");
      }

      Transformer transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.INDENT, "yes");
      transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      StringWriter out = new StringWriter();
      transformer.transform(new DOMSource(document), new StreamResult(out));
      return out.toString();
    } catch (ParserConfigurationException | TransformerException e) {
      throw new FerryException(ErrorCode.INTERNAL, "OVA: cannot build the OVF descriptor", e);
    }
  }

  private static void item(Element section, String[][] fields) {
    Element item = child(section, OVF, "Item");
    for (String[] field : fields) {
      text(item, RASD, "rasd:" + field[0], field[1]);
    }
  }

  private static Element child(Element parent, String namespace, String name) {
    Element element = parent.getOwnerDocument().createElementNS(namespace, name);
    parent.appendChild(element);
    return element;
  }

  private static void text(Element parent, String namespace, String name, String value) {
    child(parent, namespace, name).setTextContent(value);
  }
}
