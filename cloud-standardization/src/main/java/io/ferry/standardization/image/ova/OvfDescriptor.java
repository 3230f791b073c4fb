package io.ferry.standardization.image.ova;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What Ferry needs from an OVF descriptor (DMTF DSP0243, versions 1.x and 2.x): the files of the
 * References section and the disks of the DiskSection, ordered so that the boot disk (the first
 * disk the virtual hardware attaches) comes first.
 */
public record OvfDescriptor(List<OvfDisk> disks) {

  /**
   * One virtual disk: its id, the file that holds it (its declared size, or -1), its declared
   * capacity in bytes (or -1), the file's compression ({@code null} or "identity" for none) and the
   * size of the chunks the file is split into (-1: not split).
   */
  public record OvfDisk(
      String diskId, String href, long fileSize, long capacity, String compression, long chunkSize) {

    /** For people: {@code disk data (file data.vmdk, 5242880 bytes)}. */
    public String describe() {
      return "disk " + diskId + " (file " + href + (capacity >= 0 ? ", " + capacity + " bytes" : "") + ")";
    }

    boolean compressed() {
      return compression != null && !compression.isBlank() && !"identity".equals(compression);
    }

    boolean chunked() {
      return chunkSize > 0;
    }
  }

  /** The boot disk: the first of {@link #disks()}. */
  public OvfDisk boot() {
    return disks.get(0);
  }

  /** The disks besides the boot disk, described for people. */
  public List<String> otherDisks() {
    return disks.subList(1, disks.size()).stream().map(OvfDisk::describe).toList();
  }

  /**
   * Parses {@code xml} (read from {@code where}, named in errors); refuses DOCTYPEs and external
   * entities. A descriptor without a disk that has a file is corrupt.
   */
  public static OvfDescriptor parse(byte[] xml, String where) {
    Document document;
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      document = builder.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw corrupt(where + " is not a well-formed OVF descriptor: " + e.getMessage());
    }
    Element envelope = document.getDocumentElement();
    if (!"Envelope".equals(envelope.getLocalName())) {
      throw corrupt(where + " has root element " + envelope.getLocalName() + ", not an OVF Envelope");
    }
    List<Element> files = descendants(envelope, "References", "File");
    List<Element> diskElements = descendants(envelope, "DiskSection", "Disk");
    if (diskElements.isEmpty()) {
      diskElements = descendants(envelope, "VirtualDiskSection", "Disk");
    }
    List<OvfDisk> disks = new ArrayList<>();
    for (Element disk : diskElements) {
      String diskId = attribute(disk, "diskId");
      String fileRef = attribute(disk, "fileRef");
      if (diskId == null || fileRef == null) {
        continue; // a disk without a file is an empty disk to be created on deploy
      }
      Element file =
          files.stream()
              .filter(candidate -> fileRef.equals(attribute(candidate, "id")))
              .findFirst()
              .orElseThrow(
                  () -> corrupt(where + ": disk " + diskId + " refers to file " + fileRef + ", which References lacks"));
      if (attribute(file, "href") == null || attribute(file, "href").isBlank()) {
        throw corrupt(where + ": file " + fileRef + " of disk " + diskId + " has no href");
      }
      long chunkSize = number(attribute(file, "chunkSize"), -1, where);
      if (attribute(file, "chunkSize") != null && chunkSize <= 0) {
        throw corrupt(where + ": file " + fileRef + " has a chunk size of " + chunkSize);
      }
      disks.add(
          new OvfDisk(
              diskId,
              attribute(file, "href"),
              number(attribute(file, "size"), -1, where),
              capacity(disk, where),
              attribute(file, "compression"),
              chunkSize));
    }
    if (disks.isEmpty()) {
      throw corrupt(where + " describes no disk with a file");
    }
    String boot = bootDiskId(envelope);
    if (boot != null) {
      disks.sort((first, second) -> Boolean.compare(!first.diskId().equals(boot), !second.diskId().equals(boot)));
    }
    return new OvfDescriptor(List.copyOf(disks));
  }

  /** The disk the first disk drive (resource type 17) of the virtual hardware attaches. */
  private static String bootDiskId(Element envelope) {
    NodeList items = envelope.getElementsByTagNameNS("*", "*");
    for (int index = 0; index < items.getLength(); index++) {
      Element item = (Element) items.item(index);
      String name = item.getLocalName();
      if (!"Item".equals(name) && !"StorageItem".equals(name)) {
        continue;
      }
      String type = childText(item, "ResourceType");
      String host = childText(item, "HostResource");
      if ("17".equals(type) && host != null) {
        String value = host.trim();
        int slash = value.lastIndexOf('/');
        return slash >= 0 ? value.substring(slash + 1) : value;
      }
    }
    return null;
  }

  private static String childText(Element element, String localName) {
    for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element childElement && localName.equals(childElement.getLocalName())) {
        return childElement.getTextContent();
      }
    }
    return null;
  }

  private static long capacity(Element disk, String where) {
    long capacity = number(attribute(disk, "capacity"), -1, where);
    String units = attribute(disk, "capacityAllocationUnits");
    if (capacity < 0 || units == null) {
      return capacity;
    }
    String normalized = units.replace(" ", "").toLowerCase(Locale.ROOT);
    long multiplier = 1;
    int power = normalized.indexOf("*2^");
    if (normalized.startsWith("byte") && power > 0) {
      int exponent = (int) number(normalized.substring(power + 3), 0, where);
      multiplier = exponent >= 0 && exponent < 50 ? 1L << exponent : -1;
    }
    return multiplier > 0 && capacity < Long.MAX_VALUE / multiplier ? capacity * multiplier : -1;
  }

  private static long number(String text, long fallback, String where) {
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw corrupt(where + " has a malformed number: " + text);
    }
  }

  /** The attribute {@code localName} in any namespace (ovf:, or none as some writers do). */
  private static String attribute(Element element, String localName) {
    var attributes = element.getAttributes();
    for (int index = 0; index < attributes.getLength(); index++) {
      Node attribute = attributes.item(index);
      String name = attribute.getLocalName() != null ? attribute.getLocalName() : attribute.getNodeName();
      if (localName.equals(name)) {
        return attribute.getNodeValue();
      }
    }
    return null;
  }

  private static List<Element> descendants(Element root, String section, String child) {
    List<Element> found = new ArrayList<>();
    NodeList sections = root.getElementsByTagNameNS("*", section);
    for (int index = 0; index < sections.getLength(); index++) {
      NodeList children = ((Element) sections.item(index)).getElementsByTagNameNS("*", child);
      for (int inner = 0; inner < children.getLength(); inner++) {
        found.add((Element) children.item(inner));
      }
    }
    return found;
  }

  static FerryException corrupt(String message) {
    return new FerryException(ErrorCode.IMAGE_CORRUPT, "OVA: " + message);
  }
}
