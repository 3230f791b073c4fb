package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskImageReader;
import io.ferry.standardization.spi.CleanupReport;
import io.ferry.standardization.spi.CloudPlugin;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.HelperRef;
import io.ferry.standardization.spi.HelperSpec;
import io.ferry.standardization.spi.ImageInfo;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.PluginContext;
import io.ferry.standardization.spi.PriceSheet;
import io.ferry.standardization.spi.RegisterRequest;
import io.ferry.standardization.spi.RegisteredImage;
import io.ferry.standardization.spi.UploadSpec;
import io.ferry.standardization.spi.VolumeRef;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** One AWS account: EC2 and the EBS direct APIs behind Ferry's plugin SPI. */
public final class AwsCloudPlugin implements CloudPlugin {

  private final AwsSettings settings;
  private final AwsClients clients;
  private final ExecutorService pool;
  private final Backoff backoff;
  private final Snapshots snapshots;
  private final Images images;
  private final Helpers helpers;
  private final TaggedCleanup cleanup;

  /** A plugin for {@code settings}; {@code interceptors} see every SDK request (tests, diagnostics). */
  public AwsCloudPlugin(
      AwsSettings settings, PluginContext context, List<ExecutionInterceptor> interceptors, Sleeper sleeper) {
    this.settings = settings;
    this.clients = new AwsClients(settings, interceptors);
    this.pool = Executors.newFixedThreadPool(settings.uploadParallelism(), daemonThreads());
    this.backoff = Backoff.standard(sleeper);
    Waiter waiter = new Waiter(context.clock(), sleeper, settings.waitTimeout(), settings.pollInterval());
    this.snapshots = new Snapshots(clients.ec2(), waiter);
    this.images = new Images(clients.ec2(), waiter);
    this.helpers = new Helpers(clients.ec2(), waiter, settings);
    this.cleanup = new TaggedCleanup(clients.ec2(), images, snapshots, helpers);
  }

  /** The account's settings. */
  public AwsSettings settings() {
    return settings;
  }

  /** Checks the credentials with STS GetCallerIdentity (after assuming the role, if any). */
  @Override
  public void validate() {
    GetCallerIdentityResponse identity;
    try {
      identity = clients.sts().getCallerIdentity();
    } catch (AwsServiceException e) {
      // GetCallerIdentity needs no permission (not even an explicit deny stops it): a 401 or 403
      // means AWS refused the keys, whatever error code the response carries.
      boolean refused = e.statusCode() == 401 || e.statusCode() == 403;
      throw AwsErrors.translate("GetCallerIdentity", e, refused ? ErrorCode.CLOUD_AUTHENTICATION_FAILED : null);
    } catch (SdkException e) {
      throw AwsErrors.translate("GetCallerIdentity", e);
    }
    if (identity.account() == null) {
      throw new FerryException(ErrorCode.CLOUD_AUTHENTICATION_FAILED, "AWS GetCallerIdentity named no account");
    }
  }

  /** The AWS account id the credentials belong to. */
  public String accountNumber() {
    return AwsErrors.call("GetCallerIdentity", () -> clients.sts().getCallerIdentity().account());
  }

  @Override
  public List<ImageInfo> listImages() {
    return images.listOwned().stream().map(Images::toInfo).toList();
  }

  @Override
  public ImageInfo describeImage(String imageId) {
    return Images.toInfo(images.describe(imageId));
  }

  @Override
  public DiskImageReader openImage(String imageId, JobTag tag) {
    software.amazon.awssdk.services.ec2.model.Image image = images.describe(imageId);
    String snapshotId = Images.rootSnapshotId(image);
    return SnapshotBlockReader.open(clients.ebs(), backoff, pool, snapshotId)
        .withOtherDisks(Images.otherDisks(image, snapshotId));
  }

  /** Opens a snapshot's blocks for reading. */
  public SnapshotBlockReader openSnapshot(String snapshotId) {
    return SnapshotBlockReader.open(clients.ebs(), backoff, pool, snapshotId);
  }

  @Override
  public SnapshotUpload openDirectUpload(UploadSpec spec, JobTag tag) {
    return SnapshotUpload.start(
        clients, backoff, pool, settings.uploadParallelism(), snapshots, spec, tag, UUID.randomUUID().toString());
  }

  @Override
  public HelperRef launchHelper(HelperSpec spec, JobTag tag) {
    return helpers.launch(spec, tag);
  }

  @Override
  public void terminateHelper(HelperRef helper) {
    helpers.terminate(helper.id());
  }

  @Override
  public VolumeRef createVolume(long sizeBytes, JobTag tag) {
    return helpers.createVolume(sizeBytes, tag);
  }

  @Override
  public String attachVolume(VolumeRef volume, HelperRef helper) {
    return helpers.attach(volume.id(), helper.id());
  }

  @Override
  public void detachVolume(VolumeRef volume) {
    helpers.detach(volume.id(), false);
  }

  @Override
  public void deleteVolume(VolumeRef volume) {
    helpers.deleteVolume(volume.id());
  }

  /**
   * Registers an AMI from a finished upload (a snapshot id) or from a detached volume (a volume
   * id, snapshotted first with CreateSnapshot, tagged with the job).
   */
  @Override
  public RegisteredImage registerImage(RegisterRequest request) {
    String source = request.source();
    if (source == null || source.isBlank()) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "RegisterRequest names no source");
    }
    String snapshotId;
    if (source.startsWith("vol-")) {
      if (helpers.describeVolume(source).isEmpty()) {
        throw new FerryException(ErrorCode.NOT_FOUND, "no volume " + source + " to register");
      }
      snapshotId = snapshots.createFromVolume(source, request.tag(), "Ferry image " + request.name() + " for job " + request.tag().jobId());
    } else {
      Snapshot snapshot = snapshots.describe(source);
      snapshotId = snapshot.snapshotId();
      if (snapshot.state() != SnapshotState.COMPLETED) {
        snapshots.awaitCompleted(snapshotId);
      }
    }
    String imageId = images.register(request, snapshotId);
    return new RegisteredImage(imageId, "arn:aws:ec2:" + settings.region() + "::image/" + imageId);
  }

  /**
   * Deregisters an AMI and deletes its snapshots that Ferry made (those carrying a {@code
   * ferry:job-id} tag); an AMI that is gone is fine.
   */
  @Override
  public void deleteImage(String imageId) {
    Image image;
    try {
      image = images.describe(imageId);
    } catch (FerryException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return;
      }
      throw e;
    }
    images.deregister(imageId);
    for (BlockDeviceMapping mapping : image.blockDeviceMappings()) {
      if (mapping.ebs() == null || mapping.ebs().snapshotId() == null) {
        continue;
      }
      String snapshotId = mapping.ebs().snapshotId();
      try {
        if (snapshots.describe(snapshotId).tags().stream().anyMatch(tag -> tag.key().equals(JobTag.KEY))) {
          snapshots.delete(snapshotId);
        }
      } catch (FerryException e) {
        if (e.code() != ErrorCode.NOT_FOUND) {
          throw e;
        }
      }
    }
  }

  @Override
  public CleanupReport deleteTagged(JobTag tag, List<String> keepImageIds) {
    return cleanup.deleteTagged(tag, keepImageIds);
  }

  @Override
  public PriceSheet prices() {
    return AwsPrices.defaults();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    clients.close();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "ferry-aws-blocks-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
