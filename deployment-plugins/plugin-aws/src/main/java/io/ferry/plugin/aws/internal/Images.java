package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.spi.Architecture;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.RegisterRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.ArchitectureValues;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.BootModeValues;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/** EC2 operations on AMIs and their translation into Ferry's image facts. */
public final class Images {

  /** The root device of every AMI Ferry registers. */
  public static final String ROOT_DEVICE = "/dev/xvda";

  private final Ec2Client ec2;
  private final Waiter waiter;

  public Images(Ec2Client ec2, Waiter waiter) {
    this.ec2 = ec2;
    this.waiter = waiter;
  }

  /** The AMI {@code imageId}; NOT_FOUND when it does not exist or was deregistered. */
  public Image describe(String imageId) {
    List<Image> found =
        AwsErrors.call(
            "DescribeImages " + imageId, () -> ec2.describeImages(DescribeImagesRequest.builder().imageIds(imageId).build()).images());
    if (found.isEmpty() || found.get(0).state() == ImageState.DEREGISTERED) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no AMI " + imageId);
    }
    return found.get(0);
  }

  /** The AMIs the account owns. */
  public List<Image> listOwned() {
    List<Image> images = new ArrayList<>();
    AwsErrors.run(
        "DescribeImages",
        () -> ec2.describeImagesPaginator(DescribeImagesRequest.builder().owners("self").build()).images().forEach(images::add));
    return images;
  }

  /** The snapshot behind the AMI's root device; UNSUPPORTED for instance-store AMIs. */
  public static String rootSnapshotId(Image image) {
    String fallback = null;
    for (BlockDeviceMapping mapping : image.blockDeviceMappings()) {
      if (mapping.ebs() == null || mapping.ebs().snapshotId() == null) {
        continue;
      }
      if (mapping.deviceName() != null && mapping.deviceName().equals(image.rootDeviceName())) {
        return mapping.ebs().snapshotId();
      }
      if (fallback == null) {
        fallback = mapping.ebs().snapshotId();
      }
    }
    if (fallback == null) {
      throw new FerryException(
          ErrorCode.UNSUPPORTED, "AMI " + image.imageId() + " has no EBS root snapshot (instance-store AMIs cannot be exported)");
    }
    return fallback;
  }

  /**
   * The AMI's EBS disks besides its root, described for people: {@code disk /dev/sdb (snapshot
   * snap-..., 107374182400 bytes)}. Ferry moves the root disk only.
   */
  public static List<String> otherDisks(Image image, String rootSnapshotId) {
    List<String> others = new ArrayList<>();
    for (BlockDeviceMapping mapping : image.blockDeviceMappings()) {
      if (mapping.ebs() == null || mapping.ebs().snapshotId() == null
          || (mapping.ebs().snapshotId().equals(rootSnapshotId) && Objects.equals(mapping.deviceName(), image.rootDeviceName()))) {
        continue;
      }
      Integer gib = mapping.ebs().volumeSize();
      others.add("disk " + mapping.deviceName() + " (snapshot " + mapping.ebs().snapshotId()
          + (gib == null ? "" : ", " + ((long) gib << 30) + " bytes") + ")");
    }
    return others;
  }

  /** Registers an AMI whose root device is {@code snapshotId} and waits until it is available. */
  public String register(RegisterRequest request, String snapshotId) {
    Map<String, String> tags = new LinkedHashMap<>(request.extraTags());
    tags.put("Name", request.name());
    if (request.osName() != null) {
      tags.put(Tags.OS_NAME, request.osName());
    }
    if (request.cloudLayer() != null) {
      tags.put(Tags.CLOUD_LAYER, request.cloudLayer());
    }
    RegisterImageRequest.Builder register =
        RegisterImageRequest.builder()
            .name(request.name())
            .rootDeviceName(ROOT_DEVICE)
            .blockDeviceMappings(
                BlockDeviceMapping.builder()
                    .deviceName(ROOT_DEVICE)
                    .ebs(EbsBlockDevice.builder().snapshotId(snapshotId).deleteOnTermination(true).volumeType(VolumeType.GP3).build())
                    .build())
            .virtualizationType("hvm")
            .enaSupport(request.enaSupport())
            .architecture(architecture(request.architecture()))
            .tagSpecifications(Tags.specification(ResourceType.IMAGE, request.tag(), tags));
    if (request.description() != null) {
      register.description(request.description());
    }
    BootModeValues bootMode = bootMode(request.bootMode());
    if (bootMode != null) {
      register.bootMode(bootMode);
    }
    String imageId = AwsErrors.call("RegisterImage " + request.name(), () -> ec2.registerImage(register.build()).imageId());
    waiter.until("AMI " + imageId + " to become available", () -> {
      Image image = describe(imageId);
      if (image.state() == ImageState.FAILED || image.state() == ImageState.ERROR) {
        throw new FerryException(ErrorCode.CLOUD_REQUEST_REJECTED, "AMI " + imageId + " failed: " + image.stateReason());
      }
      return image.state() == ImageState.AVAILABLE ? Optional.of(image) : Optional.empty();
    });
    return imageId;
  }

  /** Deregisters an AMI; returns false when it was already gone. */
  public boolean deregister(String imageId) {
    try {
      AwsErrors.run("DeregisterImage " + imageId, () -> ec2.deregisterImage(request -> request.imageId(imageId)));
      return true;
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The EC2 architecture of {@code architecture}. */
  static ArchitectureValues architecture(Architecture architecture) {
    return switch (architecture) {
      case ARM64 -> ArchitectureValues.ARM64;
      case X86_64 -> ArchitectureValues.X86_64;
      case UNKNOWN -> throw new FerryException(ErrorCode.INVALID_REQUEST, "an AMI needs a known architecture, not UNKNOWN");
    };
  }

  /** The EC2 boot mode of {@code bootMode}; null lets EC2 choose (UNKNOWN). */
  static BootModeValues bootMode(BootMode bootMode) {
    return switch (bootMode) {
      case UEFI -> BootModeValues.UEFI;
      case BIOS -> BootModeValues.LEGACY_BIOS;
      case HYBRID -> BootModeValues.UEFI_PREFERRED;
      case UNKNOWN -> null;
    };
  }

  /** Ferry's facts about an AMI. */
  public static ImageInfo toInfo(Image image) {
    Map<String, String> tags = Tags.toMap(image.tags());
    long virtualSize = -1;
    for (BlockDeviceMapping mapping : image.blockDeviceMappings()) {
      if (mapping.ebs() != null && mapping.ebs().volumeSize() != null && mapping.deviceName() != null
          && mapping.deviceName().equals(image.rootDeviceName())) {
        virtualSize = (long) mapping.ebs().volumeSize() << 30;
      }
    }
    Architecture architecture =
        switch (image.architecture() == null ? ArchitectureValues.UNKNOWN_TO_SDK_VERSION : image.architecture()) {
          case X86_64 -> Architecture.X86_64;
          case ARM64, ARM64_MAC -> Architecture.ARM64;
          default -> Architecture.UNKNOWN;
        };
    BootMode bootMode =
        switch (image.bootMode() == null ? BootModeValues.UNKNOWN_TO_SDK_VERSION : image.bootMode()) {
          case UEFI -> BootMode.UEFI;
          case LEGACY_BIOS -> BootMode.BIOS;
          case UEFI_PREFERRED -> BootMode.HYBRID;
          default -> BootMode.UNKNOWN;
        };
    Instant createdAt = null;
    if (image.creationDate() != null) {
      try {
        createdAt = Instant.parse(image.creationDate());
      } catch (DateTimeParseException ignored) {
        // an unexpected date format: leave it unknown
      }
    }
    String osName = tags.getOrDefault(Tags.OS_NAME, image.platformDetails());
    // AMIs are immutable: the image id names one content for ever.
    return new ImageInfo(
        image.imageId(), image.name(), image.imageId(), null, virtualSize, osName, architecture, bootMode,
        tags.getOrDefault(Tags.CLOUD_LAYER, "aws"), tags, createdAt);
  }
}
