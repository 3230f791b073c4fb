package io.ferry.standardization.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.layer.internal.LayerFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CloudLayerCatalogueTest {

  private final CloudLayerCatalogue catalogue = CloudLayerCatalogue.builtIn();

  @Test
  void shipsOneLayerPerCloud() {
    assertThat(catalogue.ids()).containsExactly("aws", "azure", "gcp", "kvm", "openstack", "vsphere");
  }

  @Test
  void awsLayerCarriesItsDriversConsoleAndAgents() {
    CloudLayer aws = catalogue.get("aws");
    assertThat(aws.inject().initramfsModules()).contains("nvme", "ena");
    assertThat(aws.inject().kernelArguments())
        .containsExactly("console=tty1", "console=ttyS0,115200n8", "nvme_core.io_timeout=4294967295");
    assertThat(aws.inject().datasources()).containsExactly("Ec2", "None");
    assertThat(aws.strip().units()).contains("amazon-ssm-agent.service", "ec2-instance-connect.service");
  }

  @Test
  void everyCloudHasDriversConsoleAndADatasource() {
    for (CloudLayer layer : catalogue.layers()) {
      assertThat(layer.inject().initramfsModules()).as(layer.id()).isNotEmpty();
      assertThat(layer.inject().kernelArguments()).as(layer.id()).anyMatch(a -> a.startsWith("console="));
      assertThat(layer.detect().datasources()).as(layer.id()).isNotEmpty();
    }
    assertThat(catalogue.get("azure").inject().initramfsModules())
        .containsExactly("hv_vmbus", "hv_storvsc", "hv_netvsc");
    assertThat(catalogue.get("azure").strip().secretFiles()).contains("/var/lib/waagent/ovf-env.xml");
    assertThat(catalogue.get("vsphere").inject().initramfsModules()).contains("vmw_pvscsi", "vmxnet3");
    assertThat(catalogue.get("kvm").inject().initramfsModules())
        .contains("virtio_blk", "virtio_net", "virtio_scsi", "virtio_pci");
    assertThat(catalogue.get("gcp").inject().kernelArguments()).containsExactly("console=ttyS0,38400n8");
  }

  @Test
  void unknownCloudNamesTheKnownOnes() {
    assertThatThrownBy(() -> catalogue.get("oracle"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("unknown cloud 'oracle'")
        .hasMessageContaining("aws");
  }

  @Test
  void rejectsUnknownKeysPathsOutsideTheRootAndMismatchedIds() {
    assertThatThrownBy(() -> parse("x.json", "{\"id\":\"x\",\"inject\":{\"datasources\":[\"A\"]},\"color\":1}"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("x.json")
        .satisfies(e -> assertThat(((FerryException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    assertThatThrownBy(
            () ->
                parse(
                    "x.json",
                    "{\"id\":\"x\",\"strip\":{\"files\":[\"/etc/../../host\"]},\"inject\":{\"datasources\":[\"A\"]}}"))
        .hasMessageContaining("strip.files");
    assertThatThrownBy(() -> parse("y.json", "{\"id\":\"x\",\"inject\":{\"datasources\":[\"A\"]}}"))
        .hasMessageContaining("file name");
    assertThatThrownBy(
            () -> parse("x.json", "{\"id\":\"x\",\"inject\":{\"datasources\":[\"A\"],\"kernelArguments\":[\"a b\"]}}"))
        .hasMessageContaining("kernelArguments");
  }

  @Test
  void aNewCloudIsJustAFile() throws Exception {
    CloudLayer oracle =
        parse(
            "oracle.json",
            "{\"id\":\"oracle\",\"detect\":{\"datasources\":[\"Oracle\"]},"
                + "\"inject\":{\"datasources\":[\"Oracle\",\"None\"],\"initramfsModules\":[\"virtio_blk\"]}}");
    assertThat(oracle.injectedCloudInitFile()).isEqualTo("/etc/cloud/cloud.cfg.d/99_ferry-oracle.cfg");
    assertThat(oracle.strip().files()).isEmpty();
  }

  private static CloudLayer parse(String name, String json) throws Exception {
    return LayerFiles.parse(name, new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }
}
