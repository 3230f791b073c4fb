"""moto server made faithful to AWS where Ferry's AWS plugin tests need it.

moto 5.2.5 keeps only the name and description of RegisterImage: the AMI gets an unrelated
auto-created snapshot, no architecture and no tags. Real EC2 keeps the block device mappings,
(the root's and the data volumes'), architecture, boot mode, root device name and the tags of
TagSpecifications. moto also reports
a snapshot block size of 512 bytes where AWS reports 524288 (512 KiB), which makes every upload
a thousand times chattier than on AWS. This wrapper teaches moto exactly these two things (the
block size comes from FERRY_MOTO_BLOCK_SIZE, default AWS's 524288; tests of small blocks set
512) and then runs the normal moto server (same arguments as moto_server). The tests also
record the requests Ferry sends, so nothing hides behind it.
"""

import os
import sys

from moto.core.responses import ActionResult
from moto.ebs.models import EBSSnapshot
from moto.ec2.models.amis import Ami
from moto.ec2.responses.amis import AmisResponse
from moto.server import main


def _register_image(self):
    name = self._get_param("Name")
    description = self._get_param("Description", "")
    self.error_on_dryrun()
    mappings = self._get_param("BlockDeviceMappings", []) or []
    root_device = self._get_param("RootDeviceName")
    snapshot = None
    others = []
    for mapping in mappings:
        snapshot_id = (mapping.get("Ebs") or {}).get("SnapshotId")
        if snapshot_id and snapshot is None and (root_device is None or mapping.get("DeviceName") == root_device):
            snapshot = self.ec2_backend.get_snapshot(snapshot_id)  # raises InvalidSnapshot.NotFound
        elif snapshot_id:
            other = self.ec2_backend.get_snapshot(snapshot_id)
            size = (mapping.get("Ebs") or {}).get("VolumeSize") or getattr(getattr(other, "volume", None), "size", 15)
            others.append({
                "DeviceName": mapping.get("DeviceName"),
                "Ebs": {"SnapshotId": snapshot_id, "VolumeSize": int(size), "DeleteOnTermination": False,
                        "VolumeType": "standard"},
            })
    image = self.ec2_backend.register_image(name, description)
    image.other_mappings = others  # real EC2 keeps every mapping, data volumes included
    if snapshot is not None:
        image.ebs_snapshot = snapshot
        image.root_device_type = "ebs"
    if root_device:
        image.root_device_name = root_device
    image.architecture = self._get_param("Architecture")
    image.boot_mode = self._get_param("BootMode")
    image.virtualization_type = self._get_param("VirtualizationType")
    image.ena_support = self._get_param("EnaSupport")
    for specification in self._get_param("TagSpecifications", []) or []:
        if specification.get("ResourceType") == "image":
            tags = {tag["Key"]: tag["Value"] for tag in specification.get("Tags", [])}
            self.ec2_backend.create_tags([image.id], tags)
    return ActionResult({"ImageId": image.id})


def _block_device_mappings(self):
    size = 15
    volume = getattr(self.ebs_snapshot, "volume", None)
    if volume is not None:
        size = volume.size
    return [
        {
            "DeviceName": self.root_device_name,
            "Ebs": {
                "SnapshotId": self.ebs_snapshot.id,
                "VolumeSize": size,
                "DeleteOnTermination": False,
                "VolumeType": "standard",
            },
        }
    ] + list(getattr(self, "other_mappings", []))


_BLOCK_SIZE = int(os.environ.get("FERRY_MOTO_BLOCK_SIZE", "524288"))
_original_snapshot_init = EBSSnapshot.__init__


def _snapshot_init(self, account_id, snapshot):
    _original_snapshot_init(self, account_id, snapshot)
    self.block_size = _BLOCK_SIZE


EBSSnapshot.__init__ = _snapshot_init
AmisResponse.register_image = _register_image
Ami.block_device_mappings = property(_block_device_mappings)

if __name__ == "__main__":
    main(sys.argv[1:])
