package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import io.ferry.standardization.image.DiskFormat;
import io.ferry.standardization.image.DiskImageWriter;
import io.ferry.standardization.image.DiskImages;
import io.ferry.standardization.image.WriteOptions;
import io.ferry.standardization.image.ova.OvfWriter;
import io.ferry.standardization.spi.BootMode;
import io.ferry.standardization.spi.DirectUpload;
import io.ferry.standardization.spi.JobTag;
import io.ferry.standardization.spi.UploadSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A direct upload into a content library: the disk is written as a streamOptimized VMDK in a
 * scratch folder; when the writer is finished, an OVF descriptor is written beside it and both are
 * uploaded as a new OVF library item (marked with the job id, not yet registered). The item's id is
 * the upload id. Closing an unfinished upload deletes the scratch folder; nothing was created in
 * vCenter before the finish.
 */
final class VsphereDirectUpload implements DirectUpload {

  static final String OVF_FILE = "disk.ovf";
  static final String VMDK_FILE = "disk-1.vmdk";

  /** The VM the OVF describes: two vCPUs, 2 GiB, hardware version 13 (ESXi 6.5 and later). */
  static final OvfWriter.Hardware HARDWARE = new OvfWriter.Hardware(2, 2048, "vmx-13", OvfWriter.Firmware.BIOS);

  private final VsphereCloudPlugin plugin;
  private final UploadSpec spec;
  private final JobTag tag;
  private final Path folder;
  private final DiskImageWriter vmdk;
  private final DiskImageWriter writer;
  private String itemId;
  private boolean closed;

  VsphereDirectUpload(VsphereCloudPlugin plugin, UploadSpec spec, JobTag tag, Path scratch) throws IOException {
    this.plugin = plugin;
    this.spec = spec;
    this.tag = tag;
    this.folder = Files.createDirectories(scratch.resolve("upload-" + UUID.randomUUID()));
    this.vmdk = DiskImages.create(folder.resolve(VMDK_FILE), DiskFormat.VMDK_STREAM_OPTIMIZED, spec.virtualSize(), WriteOptions.DEFAULTS);
    this.writer = new FinishingWriter();
  }

  /** The scratch folder holding the VMDK and the OVF (for tests and diagnostics). */
  Path folder() {
    return folder;
  }

  @Override
  public DiskImageWriter writer() {
    return writer;
  }

  @Override
  public synchronized String uploadId() {
    if (itemId == null) {
      throw new FerryException(ErrorCode.INVALID_REQUEST, "the upload of " + spec.name() + " is not finished");
    }
    return itemId;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      vmdk.close();
    } catch (IOException e) {
      // the scratch folder is deleted next
    }
    ScratchFiles.deleteTree(folder);
  }

  private synchronized void upload() throws IOException {
    Path vmdkFile = folder.resolve(VMDK_FILE);
    Path ovfFile = folder.resolve(OVF_FILE);
    String ovf = OvfWriter.envelope(spec.name(), VMDK_FILE, Files.size(vmdkFile), spec.virtualSize(), hardware(spec.bootMode()));
    Files.writeString(ovfFile, ovf, StandardCharsets.UTF_8);
    Map<String, Path> files = new LinkedHashMap<>();
    files.put(OVF_FILE, ovfFile);
    files.put(VMDK_FILE, vmdkFile);
    itemId = plugin.uploadItem(spec, tag, files);
    ScratchFiles.deleteTree(folder);
  }

  /** The OVF hardware for an image booting in {@code bootMode}: EFI firmware for UEFI images. */
  static OvfWriter.Hardware hardware(BootMode bootMode) {
    return HARDWARE.withFirmware(bootMode == BootMode.UEFI ? OvfWriter.Firmware.EFI : OvfWriter.Firmware.BIOS);
  }

  /** The VMDK writer; its finish also uploads the item. */
  private final class FinishingWriter implements DiskImageWriter {
    @Override
    public DiskFormat format() {
      return vmdk.format();
    }

    @Override
    public long virtualSize() {
      return vmdk.virtualSize();
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
      vmdk.write(offset, data);
    }

    @Override
    public void finish() throws IOException {
      vmdk.finish();
      upload();
    }

    @Override
    public void close() throws IOException {
      vmdk.close();
    }
  }
}
