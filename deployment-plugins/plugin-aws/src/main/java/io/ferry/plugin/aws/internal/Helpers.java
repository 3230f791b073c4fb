package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.VolumeRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * Helper mode on EC2: helper instances with the agent's bootstrap in their user data, and the
 * volumes restored on them. Every call waits for the resource's state with {@link Waiter}.
 */
public final class Helpers {

  /** Keys a {@link HelperSpec}'s settings may hold. */
  public static final Set<String> SPEC_KEYS = Set.of("imageId", "instanceType", "subnetId");

  private static final String DEVICE_LETTERS = "fghijklmnop";

  private final Ec2Client ec2;
  private final Waiter waiter;
  private final AwsSettings settings;

  public Helpers(Ec2Client ec2, Waiter waiter, AwsSettings settings) {
    this.ec2 = ec2;
    this.waiter = waiter;
    this.settings = settings;
  }

  /** RunInstances of one helper, tagged with the job, then waits until it is running. */
  public HelperRef launch(HelperSpec spec, JobTag tag) {
    Set<String> unknown = new HashSet<>(spec.settings().keySet());
    unknown.removeAll(SPEC_KEYS);
    if (!unknown.isEmpty()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "unknown AWS helper setting(s) " + unknown + "; known: " + SPEC_KEYS);
    }
    String imageId = spec.settings().getOrDefault("imageId", settings.helperImageId());
    if (imageId == null) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST,
          "helper mode needs an AMI for " + spec.osFamily() + " helpers: set the account's " + AwsSettings.HELPER_IMAGE_ID);
    }
    String instanceType =
        spec.settings().getOrDefault(
            "instanceType", spec.architecture() == Architecture.ARM64 ? settings.helperArmInstanceType() : settings.helperInstanceType());
    Map<String, String> name = Map.of("Name", "ferry-helper-" + tag.jobId());
    RunInstancesRequest.Builder run =
        RunInstancesRequest.builder()
            .imageId(imageId)
            .instanceType(instanceType)
            .minCount(1)
            .maxCount(1)
            .instanceInitiatedShutdownBehavior("terminate")
            .tagSpecifications(
                Tags.specification(ResourceType.INSTANCE, tag, name), Tags.specification(ResourceType.VOLUME, tag, name));
    if (spec.agentBootstrap() != null && !spec.agentBootstrap().isEmpty()) {
      run.userData(Base64.getEncoder().encodeToString(spec.agentBootstrap().getBytes(StandardCharsets.UTF_8)));
    }
    String subnet = spec.settings().getOrDefault("subnetId", settings.helperSubnetId());
    if (subnet != null) {
      run.subnetId(subnet);
    } else {
      run.placement(Placement.builder().availabilityZone(settings.availabilityZone()).build());
    }
    String instanceId =
        AwsErrors.call("RunInstances " + imageId, () -> ec2.runInstances(run.build()).instances().get(0).instanceId());
    Instance running =
        waiter.until("helper " + instanceId + " to run", () -> {
          Instance instance = describeInstance(instanceId).orElse(null);
          if (instance == null) {
            return Optional.empty();
          }
          InstanceStateName state = instance.state().name();
          if (state == InstanceStateName.TERMINATED || state == InstanceStateName.SHUTTING_DOWN) {
            throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "helper " + instanceId + " stopped while starting: " + instance.stateReason());
          }
          return state == InstanceStateName.RUNNING ? Optional.of(instance) : Optional.empty();
        });
    return new HelperRef(instanceId, running.privateIpAddress());
  }

  /** Terminates a helper and waits until it is gone; a helper that is gone is fine. */
  public boolean terminate(String instanceId) {
    try {
      AwsErrors.run("TerminateInstances " + instanceId, () -> ec2.terminateInstances(request -> request.instanceIds(instanceId)));
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
    waiter.until("helper " + instanceId + " to terminate", () -> {
      Optional<Instance> instance = describeInstance(instanceId);
      return instance.isEmpty() || instance.get().state().name() == InstanceStateName.TERMINATED
          ? Optional.of(Boolean.TRUE)
          : Optional.empty();
    });
    return true;
  }

  /** Creates a gp3 volume of at least {@code sizeBytes}, tagged with the job, and waits for it. */
  public VolumeRef createVolume(long sizeBytes, JobTag tag) {
    if (sizeBytes <= 0) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "volume size must be positive: " + sizeBytes);
    }
    long gib = Math.max(1, (sizeBytes + (1L << 30) - 1) >> 30);
    String volumeId =
        AwsErrors.call(
            "CreateVolume",
            () -> ec2.createVolume(
                    CreateVolumeRequest.builder()
                        .availabilityZone(settings.availabilityZone())
                        .size((int) gib)
                        .volumeType(VolumeType.GP3)
                        .tagSpecifications(Tags.specification(ResourceType.VOLUME, tag, Map.of("Name", "ferry-volume-" + tag.jobId())))
                        .build())
                .volumeId());
    awaitVolume(volumeId, VolumeState.AVAILABLE);
    return new VolumeRef(volumeId, gib << 30);
  }

  /** Attaches a volume to a helper at the first free /dev/sd[f-p] and waits until attached. */
  public String attach(String volumeId, String instanceId) {
    Instance instance =
        describeInstance(instanceId).orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND, "no helper " + instanceId));
    Set<String> used = new HashSet<>();
    for (InstanceBlockDeviceMapping mapping : instance.blockDeviceMappings()) {
      used.add(mapping.deviceName());
    }
    String device = null;
    for (char letter : DEVICE_LETTERS.toCharArray()) {
      String candidate = "/dev/sd" + letter;
      if (!used.contains(candidate) && !used.contains("/dev/xvd" + letter)) {
        device = candidate;
        break;
      }
    }
    if (device == null) {
      throw new FerryException(ErrorCode.CLOUD_QUOTA_EXCEEDED, "helper " + instanceId + " has no free device name left");
    }
    String chosen = device;
    AwsErrors.run(
        "AttachVolume " + volumeId,
        () -> ec2.attachVolume(request -> request.volumeId(volumeId).instanceId(instanceId).device(chosen)));
    waiter.until("volume " + volumeId + " to attach", () -> {
      Volume volume = describeVolume(volumeId).orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND, "no volume " + volumeId));
      boolean attached =
          volume.attachments().stream().anyMatch(attachment -> attachment.state() == VolumeAttachmentState.ATTACHED);
      return attached ? Optional.of(volume) : Optional.empty();
    });
    return chosen;
  }

  /** Detaches a volume if it is attached and waits until it is available again. */
  public boolean detach(String volumeId, boolean force) {
    Optional<Volume> volume = describeVolume(volumeId);
    if (volume.isEmpty() || volume.get().attachments().isEmpty() || volume.get().state() == VolumeState.AVAILABLE) {
      return false;
    }
    // Naming the instance is optional on EC2; it makes the request exact (and moto needs it).
    String instanceId = volume.get().attachments().get(0).instanceId();
    try {
      AwsErrors.run(
          "DetachVolume " + volumeId,
          () -> ec2.detachVolume(request -> request.volumeId(volumeId).instanceId(instanceId).force(force)));
    } catch (FerryException e) {
      if (e.code() != ErrorCode.NOT_FOUND && !e.getMessage().contains("IncorrectState")) {
        throw e;
      }
    }
    awaitVolume(volumeId, VolumeState.AVAILABLE);
    return true;
  }

  /** Detaches (if needed) and deletes a volume; returns false when it was already gone. */
  public boolean deleteVolume(String volumeId) {
    if (describeVolume(volumeId).isEmpty()) {
      return false;
    }
    detach(volumeId, true);
    try {
      AwsErrors.run("DeleteVolume " + volumeId, () -> ec2.deleteVolume(request -> request.volumeId(volumeId)));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The instance, or empty when EC2 does not know it. */
  public Optional<Instance> describeInstance(String instanceId) {
    try {
      return AwsErrors.call(
          "DescribeInstances " + instanceId,
          () -> ec2.describeInstances(DescribeInstancesRequest.builder().instanceIds(instanceId).build()).reservations().stream()
              .flatMap(reservation -> reservation.instances().stream())
              .findFirst());
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The volume, or empty when EC2 does not know it. */
  public Optional<Volume> describeVolume(String volumeId) {
    try {
      List<Volume> volumes =
          AwsErrors.call(
              "DescribeVolumes " + volumeId, () -> ec2.describeVolumes(DescribeVolumesRequest.builder().volumeIds(volumeId).build()).volumes());
      return volumes.stream().findFirst();
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private void awaitVolume(String volumeId, VolumeState wanted) {
    waiter.until("volume " + volumeId + " to become " + wanted, () -> {
      Volume volume = describeVolume(volumeId).orElseThrow(() -> new FerryException(ErrorCode.NOT_FOUND, "no volume " + volumeId));
      if (volume.state() == VolumeState.ERROR) {
        throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "volume " + volumeId + " is in state error");
      }
      return volume.state() == wanted ? Optional.of(volume) : Optional.empty();
    });
  }
}
