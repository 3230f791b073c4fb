package io.ferry.plugin.tck;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.Extent;
import io.ferry.standardization.image.ExtentType;
import io.ferry.standardization.spi.BootCheck;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import io.ferry.standardization.spi.VolumeRef;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The in-memory fake cloud's plugin. */
final class InMemoryCloudPlugin implements CloudPlugin {

  private final InMemoryCloud cloud;
  private final boolean leaksVolumes;

  InMemoryCloudPlugin(InMemoryCloud cloud, boolean leaksVolumes) {
    this.cloud = cloud;
    this.leaksVolumes = leaksVolumes;
  }

  @Override
  public void validate() {}

  @Override
  public List<ImageInfo> listImages() {
    return cloud.images.values().stream().map(InMemoryCloud.Image::info).toList();
  }

  @Override
  public ImageInfo describeImage(String imageId) {
    return image(imageId).info();
  }

  @Override
  public DiskImageReader openImage(String imageId, JobTag tag) {
    return reader(image(imageId).disk());
  }

  @Override
  public DirectUpload openDirectUpload(UploadSpec spec, JobTag tag) {
    String uploadId = "upload-" + UUID.randomUUID();
    byte[] disk = new byte[Math.toIntExact(spec.virtualSize())];
    cloud.uploads.put(uploadId, new InMemoryCloud.Upload(tag.jobId(), disk, false));
    return new DirectUpload() {
      @Override
      public DiskImageWriter writer() {
        return new DiskImageWriter() {
          @Override
          public DiskFormat format() {
            return DiskFormat.RAW;
          }

          @Override
          public long virtualSize() {
            return disk.length;
          }

          @Override
          public void write(long offset, ByteBuffer data) {
            data.get(disk, (int) offset, data.remaining());
          }

          @Override
          public void finish() {
            cloud.uploads.computeIfPresent(uploadId, (id, upload) -> new InMemoryCloud.Upload(upload.jobId(), disk, true));
          }

          @Override
          public void close() {}
        };
      }

      @Override
      public String uploadId() {
        return uploadId;
      }

      @Override
      public void close() {
        cloud.uploads.computeIfPresent(uploadId, (id, upload) -> upload.finished() ? upload : null);
      }
    };
  }

  @Override
  public HelperRef launchHelper(HelperSpec spec, JobTag tag) {
    String id = "helper-" + UUID.randomUUID();
    cloud.helperJobs.put(id, tag.jobId());
    return new HelperRef(id, null);
  }

  @Override
  public void terminateHelper(HelperRef helper) {
    cloud.helperJobs.remove(helper.id());
  }

  @Override
  public VolumeRef createVolume(long sizeBytes, JobTag tag) {
    String id = "volume-" + UUID.randomUUID();
    cloud.volumeJobs.put(id, tag.jobId());
    return new VolumeRef(id, sizeBytes);
  }

  @Override
  public String attachVolume(VolumeRef volume, HelperRef helper) {
    return "/dev/in-memory/" + volume.id();
  }

  @Override
  public void detachVolume(VolumeRef volume) {}

  @Override
  public void deleteVolume(VolumeRef volume) {
    cloud.volumeJobs.remove(volume.id());
  }

  @Override
  public RegisteredImage registerImage(RegisterRequest request) {
    InMemoryCloud.Upload upload = cloud.uploads.get(request.source());
    if (upload == null || !upload.finished()) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no finished upload " + request.source());
    }
    String imageId = "image-" + UUID.randomUUID();
    Map<String, String> tags = new HashMap<>(request.extraTags());
    tags.put(JobTag.KEY, request.tag().jobId());
    ImageInfo info =
        new ImageInfo(imageId, request.name(), "1", DiskFormat.RAW, upload.disk().length, request.osName(),
            request.architecture(), request.bootMode(), request.cloudLayer(), tags, null);
    cloud.images.put(imageId, new InMemoryCloud.Image(info, upload.disk()));
    cloud.uploads.remove(request.source());
    return new RegisteredImage(imageId, "memory:" + imageId);
  }

  @Override
  public void deleteImage(String imageId) {
    cloud.images.remove(imageId);
  }

  @Override
  public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    List<String> deleted = new ArrayList<>();
    String job = tag.jobId();
    cloud.helperJobs.entrySet().removeIf(entry -> entry.getValue().equals(job) && deleted.add("helper:" + entry.getKey()));
    cloud.uploads.entrySet().removeIf(entry -> entry.getValue().jobId().equals(job) && deleted.add("upload:" + entry.getKey()));
    if (!leaksVolumes) {
      cloud.volumeJobs.entrySet().removeIf(entry -> entry.getValue().equals(job) && deleted.add("volume:" + entry.getKey()));
    }
    cloud.images.entrySet().removeIf(
        entry -> job.equals(entry.getValue().info().tags().get(JobTag.KEY))
            && !keepImageIds.contains(entry.getKey())
            && deleted.add("image:" + entry.getKey()));
    return new CleanupReport(deleted, List.of());
  }

  /**
   * A fake boot: nothing runs and nothing is created; a disk "boots" when its first sector ends
   * with the boot signature 0x55 0xAA, and the console says which it was.
   */
  @Override
  public BootCheck bootImage(String imageId, JobTag tag, Duration timeout) {
    byte[] disk = image(imageId).disk();
    boolean bootSector = disk.length >= 512 && disk[510] == 0x55 && disk[511] == (byte) 0xAA;
    String line = bootSector ? "in-memory: boot sector found, login: " : "in-memory: no boot sector on " + imageId;
    return new BootCheck(bootSector, line, Duration.ofMillis(1), "in-memory fake boot", List.of(line));
  }

  private InMemoryCloud.Image image(String imageId) {
    InMemoryCloud.Image image = cloud.images.get(imageId);
    if (image == null) {
      throw new FerryException(ErrorCode.NOT_FOUND, "no image " + imageId);
    }
    return image;
  }

  private static DiskImageReader reader(byte[] disk) {
    return new DiskImageReader() {
      @Override
      public DiskFormat format() {
        return DiskFormat.RAW;
      }

      @Override
      public long virtualSize() {
        return disk.length;
      }

      @Override
      public Iterator<Extent> extents() {
        return List.of(new Extent(0, disk.length, ExtentType.DATA)).iterator();
      }

      @Override
      public void read(long offset, ByteBuffer destination) {
        destination.put(disk, (int) offset, destination.remaining());
      }

      @Override
      public void close() {}
    };
  }
}
