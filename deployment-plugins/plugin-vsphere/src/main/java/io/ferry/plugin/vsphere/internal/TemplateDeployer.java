package io.ferry.plugin.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * VM templates for accounts with {@code vmTemplates=true}: a registered library item is deployed
 * with OVF deploy to a VM named {@code ferry-<item id>} (so cleanup finds it from the item alone,
 * besides by the job tag it carries) and marked as a template.
 */
final class TemplateDeployer {

  static final String OVF_DEPLOY = "/rest/com/vmware/vcenter/ovf/library-item/id:";

  private final VsphereCloudPlugin plugin;

  TemplateDeployer(VsphereCloudPlugin plugin) {
    this.plugin = plugin;
  }

  static String vmName(String itemId) {
    return "ferry-" + itemId;
  }

  /** Deploys the item to a VM and returns the VM's id. */
  String deploy(String itemId) {
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("resource_pool_id", plugin.resourcePoolId());
    if (plugin.folderId() != null) {
      target.put("folder_id", plugin.folderId());
    }
    Map<String, Object> deployment = new LinkedHashMap<>();
    deployment.put("name", vmName(itemId));
    deployment.put("accept_all_EULA", true);
    deployment.put("default_datastore_id", plugin.datastoreId());
    JsonNode result =
        plugin.restClient()
            .post(OVF_DEPLOY + ContentLibrary.encode(itemId) + "?~action=deploy", Map.of("target", target, "deployment_spec", deployment));
    String vm = result.path("resource_id").path("id").asText("");
    if (!result.path("succeeded").asBoolean(false) || vm.isEmpty()) {
      throw new FerryException(
          ErrorCode.CLOUD_REQUEST_REJECTED, "OVF deploy of library item " + itemId + " failed: " + result.path("error"));
    }
    return vm;
  }

  /**
   * Deploys the item, tags the VM with {@code tagId} (the job's tag) and marks it as a template;
   * returns the VM's id. Idempotent: a VM of the item left by an earlier attempt is reused (tagged
   * and marked when it is not yet).
   */
  String deployTemplate(String itemId, String tagId) {
    String vm = plugin.inventory().find(vmPath(itemId)).orElseGet(() -> deploy(itemId));
    plugin.jobTags().attach(tagId, new JobTags.TaggedObject(JobTags.VM_TYPE, vm));
    if (!plugin.inventory().isTemplate(vm)) {
      plugin.inventory().markAsTemplate(vm);
    }
    return vm;
  }

  /** The template VM of the item, if the account makes templates and it exists. */
  Optional<String> findTemplate(String itemId) {
    return plugin.settings().vmTemplates() ? plugin.inventory().find(vmPath(itemId)) : Optional.empty();
  }

  /** Destroys the template VM of the item if the account makes templates and it exists. */
  Optional<String> destroyTemplate(String itemId) {
    Optional<String> vm = findTemplate(itemId);
    vm.ifPresent(plugin.inventory()::destroy);
    return vm;
  }

  String vmPath(String itemId) {
    VsphereSettings settings = plugin.settings();
    return settings.datacenter() + "/vm/" + (settings.folder() == null ? "" : settings.folder() + "/") + vmName(itemId);
  }
}
