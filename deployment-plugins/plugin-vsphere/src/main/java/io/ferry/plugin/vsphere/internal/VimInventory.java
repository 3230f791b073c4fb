package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The few vim25 (SOAP, {@code /sdk}) calls the plugin needs where the REST API has no equivalent
 * that every vCenter and vcsim serve: resolving inventory paths (datacenter, datastore, folder,
 * resource pool) to managed object ids with {@code SearchIndex.FindByInventoryPath}, marking a VM
 * as a template, reading a VM's name and destroying a VM (waiting for its task). Logs in lazily with the account's credentials, logs out on
 * {@link #close()}. The password is only sent in the Login request and never logged.
 */
final class VimInventory implements AutoCloseable {

  private static final String NAMESPACE = "urn:vim25";
  private static final Duration TASK_POLL = Duration.ofMillis(200);
  private static final Duration TASK_WAIT = Duration.ofMinutes(10);
  private static final long TASK_POLLS = TASK_WAIT.toMillis() / TASK_POLL.toMillis();

  private final VsphereSettings settings;
  private final HttpClient http;
  private String cookie;
  private String sessionManager;
  private String searchIndex;
  private String propertyCollector;

  VimInventory(VsphereSettings settings, HttpClient http) {
    this.settings = settings;
    this.http = http;
  }

  /** The managed object id at {@code inventoryPath}, such as {@code DC0/datastore/LocalDS_0}. */
  synchronized Optional<String> find(String inventoryPath) {
    login();
    Element answer =
        call(
            "FindByInventoryPath",
            "<_this type=\"SearchIndex\">" + xml(searchIndex) + "</_this><inventoryPath>" + xml(inventoryPath)
                + "</inventoryPath>");
    NodeList values = answer.getElementsByTagNameNS(NAMESPACE, "returnval");
    if (values.getLength() == 0) {
      return Optional.empty();
    }
    return Optional.of(values.item(0).getTextContent().trim());
  }

  /** Marks VM {@code vmId} as a template. */
  synchronized void markAsTemplate(String vmId) {
    login();
    call("MarkAsTemplate", "<_this type=\"VirtualMachine\">" + xml(vmId) + "</_this>");
  }

  /** Whether VM {@code vmId} is a template ({@code config.template}). */
  synchronized boolean isTemplate(String vmId) {
    login();
    return property("VirtualMachine", vmId, "config.template").equals("true");
  }

  /** The name of VM {@code vmId}, or empty when there is no such VM. */
  synchronized Optional<String> vmName(String vmId) {
    login();
    try {
      return Optional.of(property("VirtualMachine", vmId, "name"));
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Destroys VM {@code vmId} and waits until its task has finished; a VM that is gone is not an
   * error.
   */
  synchronized void destroy(String vmId) {
    login();
    String task;
    try {
      task = call("Destroy_Task", "<_this type=\"VirtualMachine\">" + xml(vmId) + "</_this>")
          .getElementsByTagNameNS(NAMESPACE, "returnval").item(0).getTextContent().trim();
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return;
      }
      throw e;
    }
    for (int polls = 0; ; polls++) {
      String state = property("Task", task, "info.state");
      if (state.equals("success")) {
        return;
      }
      if (state.equals("error")) {
        Element error = retrieve("Task", task, "info.error");
        if (hasType(error, "ManagedObjectNotFound")) {
          return; // destroyed meanwhile
        }
        throw new FerryException(
            ErrorCode.CLOUD_REQUEST_REJECTED,
            "vCenter could not destroy VM " + vmId + ": " + error.getTextContent().replaceAll("\\s+", " ").trim());
      }
      if (polls > TASK_POLLS) {
        throw new FerryException(ErrorCode.TIMEOUT, "vCenter did not destroy VM " + vmId + " within " + TASK_WAIT);
      }
      try {
        Thread.sleep(TASK_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FerryException(ErrorCode.CANCELLED, "interrupted while waiting for the destroy of VM " + vmId, e);
      }
    }
  }

  /** The user names of the server's current SOAP sessions (tests check that none is left). */
  synchronized List<String> sessionUsers() {
    login();
    Element answer = retrieve("SessionManager", sessionManager, "sessionList");
    NodeList names = answer.getElementsByTagNameNS(NAMESPACE, "userName");
    List<String> users = new ArrayList<>();
    for (int i = 0; i < names.getLength(); i++) {
      users.add(names.item(i).getTextContent().trim());
    }
    return users;
  }

  /** Whether an element below {@code parent} has the XML schema type {@code type}. */
  private static boolean hasType(Element parent, String type) {
    NodeList all = parent.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      if (((Element) all.item(i)).getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type").equals(type)) {
        return true;
      }
    }
    return false;
  }

  /** One property of one managed object as text; NOT_FOUND when the object does not exist. */
  private String property(String type, String id, String path) {
    NodeList values = retrieve(type, id, path).getElementsByTagNameNS(NAMESPACE, "val");
    return values.getLength() == 0 ? "" : values.item(0).getTextContent().trim();
  }

  private Element retrieve(String type, String id, String path) {
    return call(
        "RetrievePropertiesEx",
        "<_this type=\"PropertyCollector\">" + xml(propertyCollector) + "</_this><specSet><propSet>"
            + "<type>" + xml(type) + "</type><pathSet>" + xml(path) + "</pathSet></propSet><objectSet>"
            + "<obj type=\"" + xml(type) + "\">" + xml(id) + "</obj></objectSet></specSet><options/>");
  }

  @Override
  public synchronized void close() {
    if (cookie == null) {
      return;
    }
    try {
      call("Logout", "<_this type=\"SessionManager\">" + xml(sessionManager) + "</_this>");
    } catch (RuntimeException e) {
      // the session times out on the server
    } finally {
      cookie = null;
    }
  }

  private void login() {
    if (cookie != null) {
      return;
    }
    Element content = call("RetrieveServiceContent", "<_this type=\"ServiceInstance\">ServiceInstance</_this>");
    sessionManager = childText(content, "sessionManager");
    searchIndex = childText(content, "searchIndex");
    propertyCollector = childText(content, "propertyCollector");
    call(
        "Login",
        "<_this type=\"SessionManager\">" + xml(sessionManager) + "</_this><userName>" + xml(settings.username())
            + "</userName><password>" + xml(settings.password()) + "</password>");
    if (cookie == null) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter SOAP login returned no session cookie");
    }
  }

  private Element call(String method, String body) {
    String envelope =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope"
            + " xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><" + method
            + " xmlns=\"urn:vim25\">" + body + "</" + method + "></soapenv:Body></soapenv:Envelope>";
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(settings.url() + "/sdk"))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "urn:vim25/6.5")
            .POST(HttpRequest.BodyPublishers.ofString(envelope, StandardCharsets.UTF_8));
    if (cookie != null) {
      builder.header("Cookie", cookie);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (SSLException e) {
      throw new FerryException(
          ErrorCode.CLOUD_REQUEST_REJECTED,
          "TLS with vCenter " + settings.url() + " failed (" + e.getMessage() + "); give its certificate in 'trustedCertificate'", e);
    } catch (ConnectException e) {
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "vCenter " + settings.url() + " is unreachable: " + e, e);
    } catch (IOException e) {
      throw new FerryException(ErrorCode.CLOUD_UNAVAILABLE, "vCenter SOAP call " + method + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(ErrorCode.CANCELLED, "interrupted during vCenter SOAP call " + method, e);
    }
    response.headers().allValues("Set-Cookie").stream()
        .filter(value -> value.startsWith("vmware_soap_session="))
        .findFirst()
        .ifPresent(value -> cookie = value.split(";", 2)[0]);
    Document document = parse(response.body(), method);
    NodeList faults = document.getElementsByTagNameNS("http://schemas.xmlsoap.org/soap/envelope/", "Fault");
    if (faults.getLength() > 0 || response.statusCode() / 100 != 2) {
      String text = faults.getLength() > 0 ? faults.item(0).getTextContent().replaceAll("\\s+", " ").trim() : "";
      throw fault(method, response.statusCode(), text, (Element) (faults.getLength() > 0 ? faults.item(0) : null));
    }
    NodeList answers = document.getElementsByTagNameNS(NAMESPACE, method + "Response");
    if (answers.getLength() == 0) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter SOAP call " + method + " returned no " + method + "Response");
    }
    return (Element) answers.item(0);
  }

  private FerryException fault(String method, int status, String text, Element fault) {
    String kind = "";
    if (fault != null) {
      NodeList details = fault.getElementsByTagName("detail");
      if (details.getLength() > 0) {
        NodeList children = details.item(0).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
          if (children.item(i) instanceof Element element) {
            String type = element.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
            kind = type.isEmpty() ? element.getLocalName() : type;
            break;
          }
        }
      }
    }
    ErrorCode code;
    if (kind.contains("InvalidLogin") || status == 401) {
      code = ErrorCode.CLOUD_AUTHENTICATION_FAILED;
    } else if (kind.contains("ManagedObjectNotFound")) {
      code = ErrorCode.NOT_FOUND;
    } else if (kind.contains("NoPermission")) {
      code = ErrorCode.CLOUD_PERMISSION_DENIED;
    } else if (status >= 500 && kind.isEmpty()) {
      code = ErrorCode.CLOUD_UNAVAILABLE;
    } else {
      code = ErrorCode.CLOUD_REQUEST_REJECTED;
    }
    return new FerryException(
        code, "vCenter SOAP call " + method + " failed (HTTP " + status + (kind.isEmpty() ? "" : ", " + kind) + "): " + text);
  }

  private static Document parse(byte[] body, String method) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter answered SOAP call " + method + " with malformed XML", e);
    }
  }

  private static String childText(Element parent, String name) {
    NodeList nodes = parent.getElementsByTagNameNS(NAMESPACE, name);
    if (nodes.getLength() == 0) {
      throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "vCenter service content lacks " + name);
    }
    return nodes.item(0).getTextContent().trim();
  }

  static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
