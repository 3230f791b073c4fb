/**
 * OVA appliances: the boot disk read in place through the OVF descriptor; written as OVF +
 * manifest + streamOptimized VMDK. {@link io.ferry.standardization.image.ova.OvaFormatHandler} is
 * the entry point; {@link io.ferry.standardization.image.ova.OvfWriter} writes the OVF descriptor
 * alone (for clouds that take OVF + VMDK as separate files, such as vSphere content libraries),
 * {@link io.ferry.standardization.image.ova.OvfDescriptor} reads one (to find the boot disk among
 * such files); every other class of this package is an implementation detail.
 */
package io.ferry.standardization.image.ova;
