#!/usr/bin/env python3
"""Writes the tiny, hand-built seed images of the VMDK, VHD, VHDX, OVA and GCP fuzz tests.

Real images from qemu-img are large (a VHDX is at least 4 MiB, a VMDK 128 KiB); these seeds keep
every structure but shrink grains, blocks and tables to the minimum the formats allow, so the
fuzzer mutates metadata rather than megabytes of data. Run from this folder:
    python3 make-seeds.py
It rewrites ../{vmdk,vhd,vhdx,ova,gcp}/<fuzz method>/ seeds deterministically.
"""
import gzip
import io
import os
import random
import struct
import tarfile
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.dirname(HERE)
rng = random.Random(2026)


def out(folder, method, name, data):
    path = os.path.join(FUZZ, folder, method)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def pad(data, size=512):
    return data + b"\0" * (-len(data) % size)


def grain(n):
    text = bytes((ord("a") + i % 26) for i in range(n // 2))
    return text + bytes(rng.randrange(256) for _ in range(n - len(text)))


# ---------------------------------------------------------------- VMDK
def vmdk_header(version, flags, capacity, grain_size, desc_off, desc_size, gtes, rgd, gd, overhead, compress):
    h = struct.pack("<IIIQQQQIQQQB4sH", 0x564D444B, version, flags, capacity, grain_size, desc_off,
                    desc_size, gtes, rgd, gd, overhead, 0, b"\n \r\n", compress)
    return pad(h)


def descriptor(create_type, capacity, kind="SPARSE"):
    return pad(("# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                "createType=\"%s\"\nRW %d %s \"seed.vmdk\"\nddb.adapterType = \"lsilogic\"\n"
                % (create_type, capacity, kind)).encode())


def vmdk_sparse(capacity, version=1, flags=1):
    # grains of 8 sectors, 4 entries per grain table: grain 0 data, 1 zero (entry 1, only with the
    # zero-grain flag; else unallocated), 2 unallocated, 3 data
    gt = [4, 1 if flags & 4 else 0, 0, 12]
    body = vmdk_header(version, flags, capacity, 8, 1, 1, 4, 0, 2, 4, 0)
    body += descriptor("monolithicSparse", capacity)
    body += pad(struct.pack("<I", 3))
    body += pad(struct.pack("<4I", *gt))
    body += grain(4096) + grain(4096)
    return body


def vmdk_stream(capacity, gd_at_end=True):
    sector = lambda data: len(data) // 512
    body = b""
    flags = 1 | (1 << 16) | (1 << 17)
    header_gd = 0xFFFFFFFFFFFFFFFF if gd_at_end else 0
    body += vmdk_header(3, flags, capacity, 8, 1, 1, 4, 0, header_gd, 2, 1)
    body += descriptor("streamOptimized", capacity)
    entries = [0, 0, 0, 0]
    for index in (0, 3):
        data = zlib.compress(grain(4096))
        entries[index] = sector(body)
        body += pad(struct.pack("<QI", index * 8, len(data)) + data)
    body += pad(struct.pack("<QII", 1, 0, 1))  # grain table marker
    gt_sector = sector(body)
    body += pad(struct.pack("<4I", *entries))
    body += pad(struct.pack("<QII", 1, 0, 2))  # grain directory marker
    gd_sector = sector(body)
    body += pad(struct.pack("<I", gt_sector))
    body += pad(struct.pack("<QII", 1, 0, 3))  # footer marker
    body += vmdk_header(3, flags, capacity, 8, 1, 1, 4, 0, gd_sector, 2, 1)
    body += b"\0" * 512  # end of stream
    if not gd_at_end:
        body = vmdk_header(3, flags, capacity, 8, 1, 1, 4, 0, gd_sector, 2, 1) + body[512:]
    return body


out("vmdk", "fuzzVmdkSparseReader", "sparse.vmdk", vmdk_sparse(32))
out("vmdk", "fuzzVmdkSparseReader", "sparse-odd-size.vmdk", vmdk_sparse(30))
out("vmdk", "fuzzVmdkSparseReader", "sparse-zero-grains-v2.vmdk", vmdk_sparse(32, 2, 1 | 4))
out("vmdk", "fuzzVmdkStreamReader", "stream.vmdk", vmdk_stream(32))
out("vmdk", "fuzzVmdkStreamReader", "stream-gd-in-header.vmdk", vmdk_stream(31, False))


# ---------------------------------------------------------------- VHD
def vhd_checksum(data, field):
    total = sum(b for i, b in enumerate(data) if not field <= i < field + 4)
    return (~total) & 0xFFFFFFFF


def vhd_footer(data_offset, size, disk_type):
    f = bytearray(512)
    f[0:8] = b"conectix"
    struct.pack_into(">IIQI4sI4sQQIII", f, 8, 2, 0x10000, data_offset, 0, b"win ", 0xA0000,
                     b"Wi2k", size, size, (size // 512 // 68) << 16 | 4 << 8 | 17, disk_type, 0)
    f[68:84] = uuid.UUID(int=rng.getrandbits(128)).bytes
    struct.pack_into(">I", f, 64, vhd_checksum(f, 64))
    return bytes(f)


def vhd_dynamic():
    size, block = 8192, 4096
    header = bytearray(1024)
    header[0:8] = b"cxsparse"
    struct.pack_into(">QQIII", header, 8, 0xFFFFFFFFFFFFFFFF, 1536, 0x10000, 2, block)
    struct.pack_into(">I", header, 36, vhd_checksum(header, 36))
    bat = pad(struct.pack(">2I", 4, 0xFFFFFFFF), 512)
    bitmap = pad(bytes([0xF0]))  # first four sectors of the block present, the rest read as zeros
    data = grain(2048) + b"\0" * 2048  # (qemu ignores the bitmap; zeros keep both readings equal)
    body = vhd_footer(512, size, 3) + bytes(header) + bat + bitmap + data
    return body + vhd_footer(512, size, 3)


out("vhd", "fuzzVhdReader", "fixed.vhd", grain(8192) + vhd_footer(0xFFFFFFFFFFFFFFFF, 8192, 2))
out("vhd", "fuzzVhdReader", "dynamic.vhd", vhd_dynamic())


# ---------------------------------------------------------------- VHDX
def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def guid(text):
    return uuid.UUID(text).bytes_le


def with_crc(block):
    block = bytearray(block)
    struct.pack_into("<I", block, 4, 0)
    struct.pack_into("<I", block, 4, crc32c(block))
    return bytes(block)


def vhdx(fixed):
    mib = 1 << 20
    size = 8192
    image = bytearray(4 * mib + size)
    image[0:8] = b"vhdxfile"
    for index, offset in enumerate((64 * 1024, 128 * 1024)):
        h = bytearray(4096)
        h[0:4] = b"head"
        struct.pack_into("<Q", h, 8, 10 + index)
        struct.pack_into("<HHIQ", h, 64, 0, 1, mib, mib)  # an empty log of 1 MiB at 1 MiB
        image[offset:offset + 4096] = with_crc(h)
    regions = bytearray(64 * 1024)
    regions[0:4] = b"regi"
    struct.pack_into("<I", regions, 8, 2)
    regions[16:32] = guid("2dc27766-f623-4200-9d64-115e9bfd4a08")
    struct.pack_into("<QII", regions, 32, 2 * mib, mib, 1)
    regions[48:64] = guid("8b7ca206-4790-4b9a-b8fe-575f050f886e")
    struct.pack_into("<QII", regions, 64, 3 * mib, mib, 1)
    regions = with_crc(regions)
    image[192 * 1024:256 * 1024] = regions
    image[256 * 1024:320 * 1024] = regions
    # BAT: payload block 0 fully present at 4 MiB (or, dynamic, zero)
    struct.pack_into("<Q", image, 2 * mib, (4 << 20) | 6 if fixed else 2)
    meta = 3 * mib
    image[meta:meta + 8] = b"metadata"
    items = [("caa16737-fa36-4d43-b3b6-33f0aa44e76b", struct.pack("<II", mib, 1 if fixed else 0), 4),
             ("2fa54224-cd1b-4876-b211-5dbed83bf4b8", struct.pack("<Q", size), 6),
             ("8141bf1d-a96f-4709-ba47-f233a8faab5f", struct.pack("<I", 512), 6),
             ("cda348c7-445d-4471-9cc9-e9885251c556", struct.pack("<I", 4096), 6),
             ("beca12ab-b2e6-4523-93ef-c309e000c746", uuid.UUID(int=rng.getrandbits(128)).bytes_le, 6)]
    struct.pack_into("<H", image, meta + 10, len(items))
    value_offset = 64 * 1024
    for index, (item, value, flags) in enumerate(items):
        entry = meta + 32 + 32 * index
        image[entry:entry + 16] = guid(item)
        struct.pack_into("<III", image, entry + 16, value_offset, len(value), flags)
        image[meta + value_offset:meta + value_offset + len(value)] = value
        value_offset += 16
    if fixed:
        image[4 * mib:4 * mib + size] = grain(size)
    else:
        del image[4 * mib:]
    return bytes(image)


def sparse_records(image, flags=3):
    """The compact encoding VhdxReaderFuzzTest expands: a flags byte (1: recompute the header
    checksums, 2: recompute the region table checksums, 4: recompute the checksum of the log entry
    at 1 MiB), then records of (offset / 512 as u32
    little-endian, length as u16, bytes) for every non-zero run of the image."""
    encoded = bytearray([flags])
    position = 0
    while position < len(image):
        if image[position] == 0:
            position += 1
            continue
        start = position - position % 512
        end = position
        while end < len(image) and end - start < 65535 and any(image[end:end + 64]):
            end += 64
        end = min(end, len(image), start + 65535)
        encoded += struct.pack("<IH", start // 512, end - start) + image[start:end]
        position = end
    return bytes(encoded)


def vhdx_with_log():
    """The fixed image with a stale table and a log entry at 1 MiB that holds its update (a data
    descriptor) and zeroes a sector of the block (a zero descriptor), as a crash leaves them."""
    mib = 1 << 20
    image = bytearray(vhdx(True))
    table = bytes(image[2 * mib:2 * mib + 4096])
    struct.pack_into("<Q", image, 2 * mib, 0)  # the stale table: block 0 not present
    log_guid = uuid.UUID("6c6f6720-6775-6964-2073-656564000001").bytes_le
    for offset in (64 * 1024, 128 * 1024):
        h = bytearray(image[offset:offset + 4096])
        h[48:64] = log_guid
        image[offset:offset + 4096] = with_crc(h)
    sequence = 5
    entry = bytearray(3 * 4096)  # one descriptor sector, one data sector, one spare
    struct.pack_into("<4sIIIQII16sQQ", entry, 0, b"loge", 0, 2 * 4096, 0, sequence, 2, 0, log_guid, 4 * mib, 5 * mib)
    struct.pack_into("<4sIQQQ", entry, 64, b"desc", struct.unpack_from("<I", table, 4092)[0],
                     struct.unpack_from("<Q", table, 0)[0], 2 * mib, sequence)
    struct.pack_into("<4sIQQQ", entry, 96, b"zero", 0, 4096, 4 * mib + 4096, sequence)
    entry[4096:8192] = table
    struct.pack_into("<4sI", entry, 4096, b"data", sequence >> 32)
    struct.pack_into("<I", entry, 8192 - 4, sequence & 0xFFFFFFFF)
    entry = entry[:2 * 4096]
    image[mib:mib + len(entry)] = with_crc(entry)
    return bytes(image)


out("vhdx", "fuzzVhdxReader", "fixed.records", sparse_records(vhdx(True)))
out("vhdx", "fuzzVhdxReader", "dynamic-zero.records", sparse_records(vhdx(False)))
out("vhdx", "fuzzVhdxReader", "log-replay.records", sparse_records(vhdx_with_log(), flags=7))


# ---------------------------------------------------------------- OVA
OVF = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:href="seed-disk1.vmdk" ovf:id="file1" ovf:size="%d"/></References>
  <DiskSection><Info>disks</Info>
    <Disk ovf:capacity="16384" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1"
      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="seed"><Info>vm</Info>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"""


def tar_bytes(members, fmt):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


disk = vmdk_stream(32)
out("ova", "fuzzOvaReader", "appliance.ova",
    tar_bytes([("seed.ovf", (OVF % len(disk)).encode()), ("seed-disk1.vmdk", disk)], tarfile.USTAR_FORMAT))
out("ova", "fuzzOvaReader", "appliance-gnu.ova",
    tar_bytes([("seed.ovf", (OVF % len(disk)).encode()), ("seed-disk1.vmdk", disk)], tarfile.GNU_FORMAT))
# ovftool --compress: the disk file gzip'd, ovf:size its compressed size
packed = gzip.compress(disk, mtime=0)
out("ova", "fuzzOvaReader", "appliance-gzip.ova",
    tar_bytes([("seed.ovf", (OVF.replace('ovf:size="%d"', 'ovf:size="%d" ovf:compression="gzip"') % len(packed)).encode()),
               ("seed-disk1.vmdk", packed)], tarfile.USTAR_FORMAT))
# ovf:chunkSize: the disk file split into seed-disk1.vmdk.000000000, .000000001, ...
CHUNK = 2048
chunks = [("seed-disk1.vmdk.%09d" % (i // CHUNK), disk[i:i + CHUNK]) for i in range(0, len(disk), CHUNK)]
out("ova", "fuzzOvaReader", "appliance-chunks.ova",
    tar_bytes([("seed.ovf", (OVF.replace('ovf:size="%d"', 'ovf:size="%d" ovf:chunkSize="' + str(CHUNK) + '"') % len(disk)).encode())]
              + chunks, tarfile.USTAR_FORMAT))


# ---------------------------------------------------------------- GCP
raw = grain(4096) + b"\0" * 8192 + grain(1024)
out("gcp", "fuzzGcpArchiveReader", "image.tar.gz",
    gzip.compress(tar_bytes([("disk.raw", raw)], tarfile.GNU_FORMAT), mtime=0))
out("gcp", "fuzzGcpArchiveReader", "image-pax.tar.gz",
    gzip.compress(tar_bytes([("disk.raw", raw[:4608])], tarfile.PAX_FORMAT), mtime=0))
