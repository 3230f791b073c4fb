/**
 * The vSphere cloud plugin (id {@code vsphere}): images are OVF templates in a vCenter content
 * library, spoken to over the vSphere REST API with the JDK HTTP client. See {@link
 * io.ferry.plugin.vsphere.VsphereCloudPluginFactory}.
 */
package io.ferry.plugin.vsphere;
